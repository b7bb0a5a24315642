"""Onboarding in bulk: organisations (with their supervising body) and users from one sheet.

One validator per sheet serves every entry point — ``ita_import_orgs``, ``ita_import_users``
and the admin's imports — so a file refused by one is refused by all, with the same
reasons. Every file is all or nothing; every bad row is named with its spreadsheet row
number (the header is row 1). Each real change is written to the ChangeLog.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import transaction
from django.db.models.functions import Lower

from .models import ChangeLog, Membership, Organisation, Role, rebuild_paths
from .services import ImportRefused
from .thai import normalise_text, to_arabic_digits

ORG_COLUMNS = ["code", "name", "type", "province", "district", "parent"]
USER_COLUMNS = ["username", "full_name", "email", "organisation", "role", "position"]
ORG_FIELDS = ["name", "org_type", "province", "district"]
MAX_LENGTHS = {"name": 255, "org_type": 100, "province": 100, "district": 100}
FIELD_LABELS = {
    "name": "ชื่อ",
    "org_type": "ประเภท",
    "province": "จังหวัด",
    "district": "อำเภอ",
    "parent": "หน่วยงานกำกับดูแล",
}


def _blank(values) -> bool:
    return values is None or all(v is None or str(v).strip() == "" for v in values)


def _columns(table, required, known):
    """{column: index} from the header row; refuse the file when a required column is missing."""
    if not table:
        raise ImportRefused([(None, "ไฟล์ว่าง ไม่มีข้อมูล")])
    header = [normalise_text(h).lower() for h in table[0]]
    missing = [c for c in required if c not in header]
    if missing:
        raise ImportRefused([(1, f"แถวหัวตารางต้องมีคอลัมน์ {', '.join(known)} (ไม่พบ {', '.join(missing)})")])
    return {c: header.index(c) for c in known if c in header}


def _cell(values, idx, name) -> str:
    i = idx.get(name)
    if i is None or i >= len(values) or values[i] is None:
        return ""
    return normalise_text(values[i])


def valid_code(raw: str) -> str:
    """An organisation code as a URL can carry it (/o/<code>/): a-z 0-9 - _, at most 40;
    raise ValueError with the Thai reason otherwise. Thai digits become Arabic ones."""
    code = to_arabic_digits(normalise_text(raw))
    if not code:
        raise ValueError("ไม่มีรหัสหน่วยงาน")
    try:
        validate_slug(code)
    except ValidationError:
        raise ValueError(f"รหัสหน่วยงาน “{code}” ใช้ได้เฉพาะ a-z 0-9 - _") from None
    if len(code) > 40:
        raise ValueError(f"รหัสหน่วยงาน “{code}” ยาวเกิน 40 ตัวอักษร")
    return code


# --------------------------------------------------------------------------- #
# Organisations
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class OrgRow:
    row: int
    code: str
    values: dict  # name, org_type, province, district
    parent: str | None  # a code, "" for none; None when the file has no parent column


def check_organisations(table) -> list[OrgRow]:
    """Every row of an organisations sheet checked, or ImportRefused naming each bad row.

    Columns code,name,type,province,district[,parent]; ``parent`` is the code of the
    supervising body, in the file or already in the database. A parent that is unknown,
    the organisation itself, or that would close a cycle is refused.
    """
    idx = _columns(table, ["code", "name"], ORG_COLUMNS)
    has_parent = "parent" in idx
    errors, rows, seen = [], [], {}
    for number, values in enumerate(table[1:], start=2):
        if _blank(values):
            continue
        try:
            code = valid_code(_cell(values, idx, "code"))
        except ValueError as exc:
            errors.append((number, str(exc)))
            continue
        fields = {
            "name": _cell(values, idx, "name"),
            "org_type": _cell(values, idx, "type"),
            "province": _cell(values, idx, "province"),
            "district": _cell(values, idx, "district"),
        }
        if not fields["name"]:
            errors.append((number, f"หน่วยงาน {code}: ไม่มีชื่อ"))
            continue
        too_long = [f for f, limit in MAX_LENGTHS.items() if len(fields[f]) > limit]
        if too_long:
            errors.append(
                (number, f"หน่วยงาน {code}: {FIELD_LABELS[too_long[0]]}ยาวเกิน {MAX_LENGTHS[too_long[0]]} ตัวอักษร")
            )
            continue
        parent = None
        if has_parent:
            raw_parent = _cell(values, idx, "parent")
            parent = ""
            if raw_parent:
                try:
                    parent = valid_code(raw_parent)
                except ValueError as exc:
                    errors.append((number, f"หน่วยงานกำกับดูแลของ {code}: {exc}"))
                    continue
                if parent == code:
                    errors.append((number, f"หน่วยงาน {code} เป็นหน่วยงานกำกับดูแลของตนเองไม่ได้"))
                    continue
        if code in seen:
            errors.append((number, f"รหัสหน่วยงาน {code} ซ้ำกับแถวที่ {seen[code]}"))
            continue
        seen[code] = number
        rows.append(OrgRow(number, code, fields, parent))
    if has_parent and rows:
        errors.extend(_parent_errors(rows))
    if errors:
        raise ImportRefused(sorted(errors, key=lambda e: e[0] or 0))
    return rows


def _parent_errors(rows: list[OrgRow]) -> list[tuple[int, str]]:
    """Unknown parents and cycles, with the tree as it would be after the import."""
    tree = dict(Organisation.objects.values_list("code", "parent__code"))
    for r in rows:
        tree[r.code] = r.parent or None
    errors = []
    for r in rows:
        if r.parent and r.parent not in tree:
            errors.append((r.row, f"ไม่พบหน่วยงานกำกับดูแลรหัส “{r.parent}” ของ {r.code} (ทั้งในไฟล์และในระบบ)"))
            continue
        path, node = [r.code], tree.get(r.code)
        while node is not None and node not in path and node in tree:
            path.append(node)
            node = tree[node]
        if node == r.code:
            errors.append((r.row, f"หน่วยงานกำกับดูแลของ {r.code} ทำให้เกิดวงวน: {' → '.join([*path, r.code])}"))
    return errors


def save_organisations(rows: list[OrgRow], *, by=None) -> dict:
    """Create or update the checked rows, set their parents, and log each real change."""
    created = updated = 0
    with transaction.atomic():
        codes = [r.code for r in rows]
        existing = {o.code: o for o in Organisation.objects.select_for_update().filter(code__in=codes)}
        old_parent = dict(Organisation.objects.filter(code__in=codes).values_list("code", "parent__code"))
        new = [Organisation(code=r.code, **r.values) for r in rows if r.code not in existing]
        Organisation.objects.bulk_create(new, batch_size=1000)
        logs, changed_fields = [], {}
        for r in rows:
            org = existing.get(r.code)
            if org is None:
                continue
            diff = {f: [getattr(org, f), v] for f, v in r.values.items() if getattr(org, f) != v}
            if diff:
                for f, (_, v) in diff.items():
                    setattr(org, f, v)
                changed_fields[r.code] = diff
        to_update = [existing[c] for c in changed_fields]
        if to_update:
            Organisation.objects.bulk_update(to_update, ORG_FIELDS, batch_size=1000)
        ids = dict(Organisation.objects.filter(code__in=codes).values_list("code", "pk"))
        if any(r.parent for r in rows):
            ids.update(
                Organisation.objects.filter(code__in={r.parent for r in rows if r.parent}).values_list("code", "pk")
            )
        parent_changes = {}
        for r in rows:
            if r.parent is None:
                continue
            before = old_parent.get(r.code)
            if (before or "") != r.parent:
                parent_changes[r.code] = (before, r.parent or None)
        by_parent = {}
        for code, (_before, after) in parent_changes.items():
            by_parent.setdefault(after, []).append(ids[code])
        for after, org_ids in by_parent.items():
            Organisation.objects.filter(pk__in=org_ids).update(parent_id=ids[after] if after else None)
        for r in rows:
            is_new = r.code not in existing
            details = (
                {f: [None, v] for f, v in r.values.items() if v} if is_new else dict(changed_fields.get(r.code, {}))
            )
            if r.code in parent_changes:
                details["parent"] = list(parent_changes[r.code])
            if not details:
                continue
            if is_new:
                created += 1
            else:
                updated += 1
            logs.append(
                ChangeLog(
                    user=by,
                    organisation_id=ids[r.code],
                    action="organisation.create" if is_new else "organisation.update",
                    summary=f"{'เพิ่ม' if is_new else 'แก้ไข'}หน่วยงาน {r.code} (นำเข้าจากไฟล์)",
                    details=details,
                )
            )
        ChangeLog.objects.bulk_create(logs, batch_size=1000)
        if new or parent_changes:
            rebuild_paths()  # bulk writes bypass save(): the materialised paths follow here
    return {"rows": len(rows), "created": created, "updated": updated}


def import_organisations(table, *, by=None, dry_run=False) -> dict:
    """Check an organisations sheet and, unless ``dry_run``, save it (all rows or none)."""
    rows = check_organisations(table)
    if dry_run:
        return {"rows": len(rows)}
    return save_organisations(rows, by=by)


# --------------------------------------------------------------------------- #
# Users and memberships
# --------------------------------------------------------------------------- #

ROLE_ALIASES = {**{r.value: r.value for r in Role}, **{r.label: r.value for r in Role}}


@dataclass(frozen=True)
class UserRow:
    row: int
    username: str
    first_name: str
    last_name: str
    email: str
    organisation: Organisation
    role: str
    position: str


def check_users(table) -> list[UserRow]:
    """Every row of a users sheet checked, or ImportRefused naming each bad row.

    Columns username,full_name,email,organisation,role,position. Refused: an unknown
    organisation or role, a username twice in the file, an e-mail already used by another
    user (or by another row), a new user without an e-mail (the invitation goes there).
    """
    idx = _columns(table, USER_COLUMNS[:5], USER_COLUMNS)
    User = get_user_model()
    body = [(n, v) for n, v in enumerate(table[1:], start=2) if not _blank(v)]
    usernames = {_cell(v, idx, "username") for _, v in body}
    users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    emails = {_cell(v, idx, "email").lower() for _, v in body} - {""}
    owners = {}
    for username, email in (
        User.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=emails)
        .values_list("username", "email_lower")
    ):
        owners.setdefault(email, username)
    orgs = {o.code: o for o in Organisation.objects.filter(code__in={_cell(v, idx, "organisation") for _, v in body})}
    validate_username = UnicodeUsernameValidator()
    errors, rows, seen_names, seen_emails = [], [], {}, {}
    for number, values in body:
        username = _cell(values, idx, "username")
        if not username:
            errors.append((number, "ไม่มีชื่อผู้ใช้ (username)"))
            continue
        try:
            validate_username(username)
            if len(username) > 150:
                raise ValidationError("long")
        except ValidationError:
            errors.append((number, f"ชื่อผู้ใช้ “{username}” ใช้ได้เฉพาะตัวอักษร ตัวเลข และ @ . + - _ ไม่เกิน 150 ตัว"))
            continue
        if username in seen_names:
            errors.append((number, f"ชื่อผู้ใช้ {username} ซ้ำกับแถวที่ {seen_names[username]}"))
            continue
        seen_names[username] = number
        code = to_arabic_digits(_cell(values, idx, "organisation"))
        organisation = orgs.get(code)
        if organisation is None:
            errors.append((number, f"{username}: ไม่พบหน่วยงานรหัส “{code}”" if code else f"{username}: ไม่มีรหัสหน่วยงาน"))
            continue
        raw_role = _cell(values, idx, "role")
        role = ROLE_ALIASES.get(raw_role.lower()) or ROLE_ALIASES.get(raw_role)
        if role is None:
            known = ", ".join(f"{r.value} ({r.label})" for r in Role)
            errors.append((number, f"{username}: ไม่รู้จักบทบาท “{raw_role}” (ใช้ได้: {known})"))
            continue
        email = _cell(values, idx, "email")
        existing = users.get(username)
        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors.append((number, f"{username}: อีเมล “{email}” ไม่ถูกต้อง"))
                continue
            owner = owners.get(email.lower())
            if owner is not None and owner != username:
                errors.append((number, f"{username}: อีเมล {email} เป็นของผู้ใช้อื่นในระบบแล้ว"))
                continue
            if email.lower() in seen_emails:
                errors.append((number, f"{username}: อีเมล {email} ซ้ำกับแถวที่ {seen_emails[email.lower()]}"))
                continue
            seen_emails[email.lower()] = number
        elif existing is None:
            errors.append((number, f"{username}: ผู้ใช้ใหม่ต้องมีอีเมลเพื่อรับคำเชิญตั้งรหัสผ่าน"))
            continue
        full_name = _cell(values, idx, "full_name")
        position = _cell(values, idx, "position")
        if len(full_name) > 300 or len(position) > 255:
            errors.append((number, f"{username}: ชื่อ-สกุลหรือตำแหน่งยาวเกินกำหนด"))
            continue
        first, _, last = full_name.partition(" ")
        if len(first) > 150 or len(last) > 150:
            errors.append((number, f"{username}: ชื่อหรือนามสกุลยาวเกิน 150 ตัวอักษร"))
            continue
        rows.append(UserRow(number, username, first, last, email, organisation, role, position))
    if errors:
        raise ImportRefused(errors)
    if not rows:
        raise ImportRefused([(None, "ไม่มีแถวผู้ใช้ในไฟล์")])
    return rows


def save_users(rows: list[UserRow], *, by=None) -> dict:
    """Create the new users (no password: an invitation to set one is e-mailed after
    commit), add each row's membership, and log each membership change and invitation."""
    from .tasks import send_invitation

    User = get_user_model()
    created, memberships, positions = [], 0, 0
    with transaction.atomic():
        users = {
            u.username: u for u in User.objects.select_for_update().filter(username__in=[r.username for r in rows])
        }
        logs = []
        for r in rows:
            user = users.get(r.username)
            if user is None:
                user = User(username=r.username, first_name=r.first_name, last_name=r.last_name, email=r.email)
                user.set_unusable_password()
                user.save()
                users[r.username] = user
                created.append(user)
                logs.append(
                    _log(
                        by,
                        r.organisation,
                        "user.invite",
                        f"เชิญผู้ใช้ใหม่ {r.username} ({r.email})",
                        {"username": r.username, "email": r.email},
                    )
                )
            membership, made = Membership.objects.get_or_create(
                user=user, organisation=r.organisation, role=r.role, defaults={"position": r.position}
            )
            if made:
                memberships += 1
                logs.append(
                    _log(by, r.organisation, "membership.add", f"เพิ่ม {r.username} เป็น{membership.get_role_display()}",
                         {"username": r.username, "role": r.role, "position": r.position})
                )  # fmt: skip
            elif r.position and membership.position != r.position:
                logs.append(
                    _log(by, r.organisation, "membership.position", f"แก้ตำแหน่งของ {r.username}",
                         {"username": r.username, "role": r.role, "position": [membership.position, r.position]})
                )  # fmt: skip
                membership.position = r.position
                membership.save(update_fields=["position"])
                positions += 1
        ChangeLog.objects.bulk_create(logs)
        for user in created:
            transaction.on_commit(lambda pk=user.pk: send_invitation.delay(pk))
    return {
        "rows": len(rows),
        "users_created": len(created),
        "memberships_added": memberships,
        "positions_changed": positions,
    }


def _log(by, organisation, action, summary, details):
    return ChangeLog(user=by, organisation=organisation, action=action, summary=summary, details=details)


def import_users(table, *, by=None, dry_run=False) -> dict:
    """Check a users sheet and, unless ``dry_run``, save it (all rows or none)."""
    rows = check_users(table)
    if dry_run:
        return {"rows": len(rows)}
    return save_users(rows, by=by)


def invitation_message(user: AbstractBaseUser, *, site_url: str) -> tuple[str, str]:
    """The subject and body of the e-mail inviting a new user to set their password, with a
    link built by Django's password-reset token machinery (valid PASSWORD_RESET_TIMEOUT)."""
    from django.contrib.auth.tokens import default_token_generator
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    memberships = ", ".join(
        f"{m.organisation.name} ({m.get_role_display()})" for m in user.memberships.select_related("organisation")
    )
    body = (
        f"เรียน {user.get_full_name() or user.username}\n\n"
        f"ท่านได้รับเชิญให้ใช้งานระบบ ITA Portal ในฐานะ {memberships}\n"
        f"ชื่อผู้ใช้ของท่านคือ {user.username}\n"
        f"กรุณาตั้งรหัสผ่านที่ลิงก์นี้: {site_url.rstrip('/')}{path}\n"
    )
    return "ITA Portal: คำเชิญเข้าใช้งานและตั้งรหัสผ่าน", body
