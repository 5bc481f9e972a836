"""The questionnaire: its data model, the loader that validates the files in `questions/`."""
