"""The quality gate: checks, metrics and the policy that turns them into one decision."""
