"""Test helpers for the hardware tests: a virtual card for vpcd, a private pcscd."""
