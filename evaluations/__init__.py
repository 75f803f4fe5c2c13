"""Evaluations, evidence, scoring, decisions, labels, credentials and their verification."""
