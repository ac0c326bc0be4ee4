"""Assessment (考评) and tiers (晋档升级): units ranked per period by a composite score."""
