"""Domain layer: model, store, op log, import, search, demo. Never imports Textual."""
