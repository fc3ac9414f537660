"""Integrated documents: the other papers a person holds (health insurance, driving licence, ...),
pushed by their issuing agencies and linked to the person's number, so services stop asking for copies."""
