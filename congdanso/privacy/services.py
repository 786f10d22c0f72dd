"""Data-subject requests: what is held about one resident, its correction, its erasure, and
the record of how they were informed.

- `subject_data` gathers everything held about the person (numbers in clear: it is their own
  data, given to them), `subject_docx` lays it out as a readable Vietnamese document; both
  exports are audited.
- A correction is the people app's `resident_correct` (the same parsers as the import,
  audited with personal fields masked).
- `resident_erase` removes the person and everything attached to them (achievements, turns,
  data issues, notices) and leaves in the audit log a tombstone that names no one: the id,
  the commune, how many rows went, who asked and why.
"""

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congdanso.campaigns.models import Achievement
from congdanso.core.audit import Actor, audit_record
from congdanso.core.errors import DomainError, Message
from congdanso.core.hooks import residents_changing
from congdanso.core.models import AuditAction, AuditEvent
from congdanso.core.parsing import reason_clean, text_clean
from congdanso.outreach.models import Turn
from congdanso.people.models import Resident
from congdanso.privacy.models import NoticeMethod, PrivacyNotice
from congdanso.vn import (
    format_birth_date,
    vietnam_today,
)


def notice_record(
    *,
    resident: Resident,
    method: str,
    informed_on: dt.date,
    consented: bool | None = None,
    note: str = "",
    recorded_by: Actor = None,
) -> PrivacyNotice:
    if method not in NoticeMethod.values:
        raise DomainError(
            Message(
                _("Unknown way of informing %(method)s. Ways: %(methods)s"),
                method=method,
                methods=", ".join(NoticeMethod.values),
            ),
            code="notice_method_unknown",
        )
    if informed_on > vietnam_today():
        raise DomainError(
            Message(_("The date %(date)s is in the future."), date=f"{informed_on:%d/%m/%Y}"),
            code="date_in_future",
        )
    with transaction.atomic():
        notice = PrivacyNotice.objects.create(
            commune_id=resident.commune_id,
            resident=resident,
            method=method,
            informed_on=informed_on,
            consented=consented,
            note=text_clean(note, field=_("Note"), max_length=500),
            recorded_by=recorded_by,  # type: ignore[misc]
        )
        audit_record(
            action=AuditAction.CREATE,
            obj=notice,
            actor=recorded_by,
            after={
                "resident": resident.pk,
                "method": method,
                "informed_on": informed_on.isoformat(),
                "consented": consented,
            },
        )
    return notice


@dataclass(frozen=True)
class Erased:
    resident_id: int
    achievements: int
    turns: int
    issues: int
    notices: int


@transaction.atomic
def resident_erase(*, resident: Resident, reason: str, erased_by: Actor = None) -> Erased:
    """Erase the person and what is attached to them; the audit keeps a tombstone without
    personal data. Indicators re-computed afterwards no longer count them."""
    reason = reason_clean(reason, missing=_("Say why the data is erased."))
    with residents_changing(residents=[resident.pk], turns=True):
        return _erase(resident, reason, erased_by)


def _erase(resident: Resident, reason: str, erased_by: Actor) -> Erased:
    counts = Erased(
        resident_id=resident.pk,
        achievements=Achievement.objects.filter(resident=resident).count(),
        turns=Turn.objects.filter(resident=resident).count(),
        issues=resident.issues.count(),
        notices=PrivacyNotice.objects.filter(resident=resident).count(),
    )
    audit_record(
        action=AuditAction.ERASE,
        object_type="people.resident",
        object_id=resident.pk,
        label=f"#{resident.pk}",
        commune_id=resident.commune_id,
        actor=erased_by,
        changes={
            "achievements": counts.achievements,
            "turns": counts.turns,
            "issues": counts.issues,
            "notices": counts.notices,
        },
        reason=reason,
    )
    resident.delete()
    return counts


def subject_data(resident: Resident, *, exported_by: Actor = None) -> dict[str, Any]:
    """Everything held about the person, in clear (it is given to them), and the audit row of
    this export."""
    achievements = Achievement.objects.filter(resident=resident).select_related("criterion", "unit")
    turns = Turn.objects.filter(resident=resident).select_related(
        "session__place", "criterion", "unit"
    )
    data = {
        "exported_at": timezone.now().isoformat(timespec="seconds"),
        "resident": {
            "id": resident.pk,
            "full_name": resident.full_name,
            "birth_date": format_birth_date(resident.birth_date, resident.birth_date_precision),
            "gender": resident.gender,
            "cccd": resident.cccd or "",
            "phone": resident.phone or "",
            "commune": resident.commune.name,
            "village": resident.village.name if resident.village else "",
            "status": resident.status,
            "segments": resident.segments,
            "created_at": resident.created_at.isoformat(timespec="seconds"),
            "updated_at": resident.updated_at.isoformat(timespec="seconds"),
        },
        "achievements": [
            {
                "criterion": a.criterion.name,
                "achieved_on": a.achieved_on.isoformat(),
                "source": a.source,
                "unit": a.unit.name if a.unit else "",
                "withdrawn": a.withdrawn_at is not None,
                "withdrawal_reason": a.withdrawal_reason,
            }
            for a in achievements
        ],
        "turns": [
            {
                "date": t.session.date.isoformat(),
                "place": t.session.place.name,
                "criterion": t.criterion.name if t.criterion else "",
                "service": t.get_service_display() if t.service else "",
                "unit": t.unit.name if t.unit else "",
            }
            for t in turns
        ],
        "data_issues": [
            {
                "code": i.code,
                "field": i.field,
                "detail": i.detail,
                "resolved": i.resolved_at is not None,
            }
            for i in resident.issues.all()
        ],
        "notices": [
            {
                "method": n.method,
                "informed_on": n.informed_on.isoformat(),
                "consented": n.consented,
                "note": n.note,
            }
            for n in PrivacyNotice.objects.filter(resident=resident)
        ],
        "audit": [
            {
                "at": e.at.isoformat(timespec="seconds"),
                "action": e.action,
                "by": e.actor_name,
                "changes": e.changes,
                "reason": e.reason,
            }
            for e in AuditEvent.objects.filter(
                object_type="people.resident", object_id=str(resident.pk)
            ).order_by("at", "id")
        ],
    }
    audit_record(
        action=AuditAction.EXPORT,
        obj=resident,
        actor=exported_by,
        changes={"what": "data subject export", "fields": ["cccd", "phone"]},
    )
    return data


def subject_docx(data: dict[str, Any]) -> bytes:
    """The export as a readable Vietnamese document."""
    from docx import Document
    from docx.shared import Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"  # type: ignore[attr-defined]
    style.font.size = Pt(13)  # type: ignore[attr-defined]
    person = data["resident"]
    document.add_heading("THÔNG TIN CÁ NHÂN ĐANG ĐƯỢC LƯU GIỮ", level=1)
    document.add_paragraph(
        f"Trích xuất lúc {data['exported_at']} theo yêu cầu của chủ thể dữ liệu "
        "(Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15)."
    )
    rows = [
        ("Họ và tên", person["full_name"]),
        ("Ngày sinh", person["birth_date"] or "—"),
        ("Giới tính", {"M": "Nam", "F": "Nữ"}.get(person["gender"], "—")),
        ("Số CCCD", person["cccd"] or "—"),
        ("Số điện thoại", person["phone"] or "—"),
        ("Xã", person["commune"]),
        ("Thôn, buôn", person["village"] or "—"),
        ("Tình trạng", {"living": "Đang cư trú", "moved_away": "Đã chuyển đi",
                        "deceased": "Đã mất"}.get(person["status"], person["status"])),
    ]  # fmt: skip
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, str(value)
    sections = [
        ("Các tiêu chí công dân số đã ghi nhận", data["achievements"],
         lambda a: f"{a['criterion']}: ngày {a['achieved_on']}"
         + (f" (đã thu hồi: {a['withdrawal_reason']})" if a["withdrawn"] else "")),
        ("Các lượt được hỗ trợ", data["turns"],
         lambda t: f"{t['date']} tại {t['place']}: {t['criterion'] or t['service']}"
         + (f" ({t['unit']})" if t["unit"] else "")),
        ("Thông báo về xử lý dữ liệu cá nhân", data["notices"],
         lambda n: f"{n['informed_on']}: {n['method']}"
         + {None: "", True: ", đồng ý", False: ", không đồng ý"}[n["consented"]]),
        ("Lịch sử thay đổi", data["audit"],
         lambda e: f"{e['at']}: {e['action']} ({e['by'] or 'hệ thống'}) {e['reason']}"),
    ]  # fmt: skip
    for title, items, line in sections:
        document.add_heading(title, level=2)
        if not items:
            document.add_paragraph("Không có.")
        for item in items:
            document.add_paragraph(line(item), style="List Bullet")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
