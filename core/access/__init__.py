"""Who may do what: staff accounts, the acting user, join codes and joining, the permission table."""
