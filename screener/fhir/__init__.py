"""FHIR R4 views of the questionnaire and of a screening's answers."""
