"""One module per screen. Screens call domain services; no SQL, no hardware calls here."""
