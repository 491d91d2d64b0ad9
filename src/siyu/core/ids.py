"""Typed identifiers, so a member id is never passed where a merchant id belongs."""

from typing import NewType

MerchantId = NewType("MerchantId", int)
MemberId = NewType("MemberId", int)
GroupId = NewType("GroupId", int)
