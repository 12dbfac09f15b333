"""The load test (``make load``, scripts/load.py): the scenario (locustfile.py), its data
(prepare.py) and the text-message backend that hands the portal users their codes (sms.py).

Not part of the application: nothing under casework/, agreements/, assistance/ or portal/
imports it, and it is not installed with the package.
"""
