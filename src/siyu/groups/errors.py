"""Business outcomes of the groups domain that answer 4xx."""

from __future__ import annotations

from siyu.core.errors import Conflict, NotFound


class GroupFull(Conflict):
    code = "group_full"

    def __init__(self, group_id: int, capacity: int) -> None:
        super().__init__(f"group_id: 社群 {group_id} 已满 (容量 {capacity} 人)", field="group_id")


class GroupArchived(Conflict):
    code = "group_archived"

    def __init__(self, group_id: int) -> None:
        super().__init__(f"group_id: 社群 {group_id} 已归档, 不能加入", field="group_id")


class GroupPendingReview(Conflict):
    code = "group_pending_review"

    def __init__(self, group_id: int) -> None:
        super().__init__(f"group_id: 社群 {group_id} 的名称或群规待法务复核, 暂不能加入",
                         field="group_id")


class GroupRejected(Conflict):
    code = "group_rejected"

    def __init__(self, group_id: int) -> None:
        super().__init__(f"group_id: 社群 {group_id} 的名称或群规未通过法务复核, 不能加入",
                         field="group_id")


def require_open(group) -> None:
    """Only an `active` group takes new members (409 naming why not)."""
    if group.status == "archived":
        raise GroupArchived(group.id)
    if group.status == "pending_review":
        raise GroupPendingReview(group.id)
    if group.status == "rejected":
        raise GroupRejected(group.id)


class AlreadyInGroup(Conflict):
    code = "already_in_group"

    def __init__(self, member_id: int, group_id: int) -> None:
        super().__init__(f"member_id: 会员 {member_id} 已在社群 {group_id} 中", field="member_id")


class NotInGroup(Conflict):
    code = "not_in_group"

    def __init__(self, member_id: int, group_id: int) -> None:
        super().__init__(f"member_id: 会员 {member_id} 不在社群 {group_id} 中", field="member_id")


class RequestNotPending(Conflict):
    code = "request_not_pending"

    def __init__(self, request_id: int, status: str) -> None:
        super().__init__(f"id: 入群申请 {request_id} 状态为 {status}, 只能处理待审核的申请",
                         field="id")


class LiveCodeNotFound(NotFound):
    code = "live_code_not_found"

    def __init__(self, code: str) -> None:
        super().__init__(f"code: 活码 {code} 不存在", field="code")
