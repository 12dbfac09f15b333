"""Stand-ins for a market's own SMS gateway and identity service, in subprocess tests.

check --deploy refuses the development outbox and the demo identity service; a
production set-up names its gateways' classes. These two are not demo parts, so the
deploy-check test can show that the refusal comes from the settings, not from the check.
"""

from casework.core.sms import Sms


class GatewaySms:
    def send(self, message: Sms) -> None:
        raise NotImplementedError("never sends in tests")


class GatewayIdentity:
    def verify(self, person):
        raise NotImplementedError("never verifies in tests")
