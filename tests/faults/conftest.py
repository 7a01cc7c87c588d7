"""The storefront's localstripe and webhook fixtures, shared with the fault tests."""

from tests.storefront.conftest import localstripe_url, stripe_app, stripe_client  # noqa: F401
