"""Registration, invitations and the outbox, personal data of registered people."""
