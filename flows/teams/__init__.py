"""Teams: joining, the team photo (periods, rules, chart, files), shared quotes."""
