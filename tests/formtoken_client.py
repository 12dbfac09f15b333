"""A test client that sends a one-time form token with every POST, as the form pages do.

Every form that creates something renders ``{% form_token %}`` and its view refuses a
POST without one (casework.core.formtokens). Tests that post data straight to a view
get a fresh token per POST from this client, unless they send their own (to test a
second submission of the same form).
"""

from django.test import Client

from casework.core.formtokens import FIELD, new_token


class FormTokenClient(Client):
    def post(self, path, data=None, *args, **kwargs):
        if data is None:
            data = {}
        if isinstance(data, dict) and not data.get(FIELD):
            data = {**data, FIELD: new_token()}
        return super().post(path, data, *args, **kwargs)
