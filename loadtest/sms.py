"""The load run's text-message gateway: each message, one JSON line, in the file LOAD_SMS_FILE.

scripts/load.py names it in SMS_BACKEND for the gunicorn it starts; the portal users of
locustfile.py read their sign-in codes from that file, as a person reads their phone.
The application has no endpoint that tells a code: SMS_BACKEND is its one way out.
``demo = True``: ``check --deploy`` refuses it, like the development outbox.
"""

import json
import os

from casework.core.sms import SendResult, Sms


class FileBackend:
    keeps_outbox = False
    demo = True

    def send(self, message: Sms) -> SendResult:
        line = {"to": message.to, "template": message.template_name, "params": dict(message.params)}
        data = (json.dumps(line, ensure_ascii=False) + "\n").encode()
        # One write() to a file opened for appending: the lines of several gunicorn
        # processes and threads never interleave.
        fd = os.open(os.environ["LOAD_SMS_FILE"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)
        return SendResult(provider_id="load-file")
