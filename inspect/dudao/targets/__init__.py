"""Campaign targets: the organisation's quantified plan and how far it has come
(docs/targets.md)."""
