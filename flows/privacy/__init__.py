"""A person's data rights: /privacy, /export, /forget."""
