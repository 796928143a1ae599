"""SMS gateways behind one interface: outbox (development) and HTTP provider (production)."""

from portal.sms.gateways import HttpGateway, OutboxGateway, SmsError, SmsGateway, gateway_for, read_outbox

__all__ = ["HttpGateway", "OutboxGateway", "SmsError", "SmsGateway", "gateway_for", "read_outbox"]
