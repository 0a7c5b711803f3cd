"""Typed results of the service API: what each method answers, field by field.

A method's handler still returns plain JSON-able data (that is what goes on the wire); its
result model declares that data's shape, so that ``Model.model_validate(answer)`` gives a
client typed attributes and ``model_dump(mode="json")`` gives back the same answer, key for
key and in the same order (``tests/test_api_results.py`` checks this).
"""
