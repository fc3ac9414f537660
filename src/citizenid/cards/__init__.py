"""The card's life: applications, approval, production batches, issuance, revocation, renewal, updates."""
