"""The words of a flag's page in the reader's language: rule and severity names, the
evidence's field names, the values and test descriptions the rules write."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from dudao.trends.models import RULE_NAMES, SEVERITY_NAMES

RULE_LABELS = {rule: _l(name) for rule, name in RULE_NAMES.items()}
SEVERITY_LABELS = {severity: _l(name) for severity, name in SEVERITY_NAMES.items()}

#: Evidence keys shown in the table, with their labels (others are shown under their key).
FIELD_LABELS = {
    "test": _l("Test"),
    "consecutive": _l("Consecutive failures"),
    "occurrences": _l("Occurrences"),
    "period": _l("Period"),
    "failures": _l("Failures"),
    "inspections": _l("Inspections"),
    "rate": _l("Failure rate"),
    "baseline_rate": _l("Baseline rate"),
    "baseline_failures": _l("Failures in the baseline"),
    "baseline_inspections": _l("Inspections in the baseline"),
    "baseline_months": _l("Baseline months"),
    "baseline_left_out": _l("Months left out of the baseline (flagged then)"),
    "wilson_95": _l("95 per cent interval"),
    "p_value": _l("p-value"),
    "q_value": _l("q-value (after BH)"),
    "baseline_mean": _l("Baseline mean (CUSUM scale)"),
    "sigma": _l("Standard deviation (CUSUM scale)"),
    "baseline_score": _l("Mean score before the decline"),
    "decline_from": _l("Decline since"),
    "mean_score_since": _l("Mean score since then"),
    "cusum": _l("CUSUM"),
    "proportion": _l("Proportion failed"),
    "upper_limit": _l("Upper limit"),
    "organisation_proportion": _l("The organisation's proportion failed (p0)"),
    "overdispersion": _l("Overdispersion (φ)"),
    "limit_method": _l("Limit computed as"),
    "failed_items": _l("Failed items"),
    "scored_items": _l("Scored items"),
    "index": _l("Satisfaction index"),
    "reference": _l("Reference index"),
    "drop": _l("Drop"),
    "responses": _l("Responses"),
    "overdue": _l("Overdue rectifications"),
    "oldest_deadline": _l("Oldest deadline"),
    "returns": _l("Returns"),
    "k": _l("CUSUM allowance k"),
    "h": _l("CUSUM decision limit h"),
    "transform": _l("Scores transformed (arcsine)"),
    "cusum_signal": _l("CUSUM signal"),
    "mann_kendall_p": _l("Mann-Kendall p-value"),
    "sen_slope": _l("Sen's slope (score points per month)"),
    "coverage": _l("Funnel coverage"),
    "window_periods": _l("Window (periods)"),
    "fdr": _l("False discovery rate"),
    "interval_95": _l("95 per cent interval"),
    "period_label": _l("Period"),
    "reference_responses": _l("Reference responses"),
    "min_group": _l("Smallest group shown"),
    "against": _l("Compared with"),
    "standard_error": _l("Standard error"),
    "tau2": _l("Spread between units (τ²)"),
    "tau2_change": _l("Spread of changes between campaigns (τ²)"),
    "peers": _l("Units the spread is estimated from"),
    "z": _l("z statistic"),
    "tests": _l("Tests in the campaign"),
    "baseline": _l("Earlier campaigns"),
    "run": _l("Latest campaigns, tested together"),
    "windows": _l("Windows of latest campaigns tested (Bonferroni)"),
    "keyword": _l("Keyword"),
    "category": _l("Category"),
    "units": _l("Units concerned"),
    "representatives": _l("Representatives concerned"),
}
#: Words the rules write as values, in the reader's language.
VALUE_LABELS = {
    "organisation": _l("the organisation"),
    "earlier campaigns": _l("its earlier campaigns"),
    "previous campaign": _l("its previous campaign"),
    "exact binomial quantile": _l("the exact binomial quantile"),
    "normal approximation with overdispersion": _l(
        "the normal approximation, widened by the overdispersion φ"
    ),
}
#: The rules' `test` descriptions in the reader's language (others are shown as written).
TEST_LABELS = {
    "critical item failed": _l("A critical item failed"),
    "count of overdue rectifications": _l("Count of overdue rectifications"),
    "count of returned submissions": _l("Count of returned submissions"),
    "conditional exact binomial (window vs baseline), one-sided, BH": _l(
        "Conditional exact binomial test (the month against the baseline), one-sided, "
        "Benjamini-Hochberg"
    ),
    "one-sided z-test on the satisfaction index (95 % t intervals), BH": _l(
        "One-sided z-test on the satisfaction index (95 per cent t intervals), Benjamini-Hochberg"
    ),
    "one-sided z-test on the satisfaction index (95 % t intervals) against the spread between "
    "units (tau2: Paule-Mandel, winsorised), BH over the campaign's tests": _l(
        "One-sided z-test on the satisfaction index (95 per cent t intervals) against the "
        "spread between units (τ² by Paule-Mandel, winsorised), Benjamini-Hochberg over the "
        "campaign's tests"
    ),
    "one-sided z-test of the mean of the unit's last campaigns against its campaigns before "
    "them (tau2_change: Paule-Mandel, winsorised), the largest of the windows "
    "Bonferroni-adjusted, BH over the campaign's tests": _l(
        "One-sided z-test of the mean satisfaction index of the unit's latest campaigns "
        "against its campaigns before them (τ² of the changes by Paule-Mandel, winsorised), "
        "the strongest of the windows Bonferroni-adjusted, Benjamini-Hochberg over the "
        "campaign's tests"
    ),
    "lower tabular CUSUM on standardised scores; Mann-Kendall, Sen's slope": _l(
        "Lower tabular CUSUM on standardised scores; Mann-Kendall test with Sen's slope"
    ),
    "funnel plot, upper limit (Spiegelhalter 2005)": _l(
        "Funnel plot, upper limit (Spiegelhalter 2005)"
    ),
}
