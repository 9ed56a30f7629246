"""The jobs the sending instance runs: check-ins, team photos, retention."""
