# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a policy run (qbt_torrent_policy) reads: every torrent in one read, and beyond it only what a policy that
may apply to a torrent needs (its trackers, their messages, its private flag), where the one read lacks it.

Facts: includeTrackers in torrents/info from 5.1, tracker URLs in sync/maindata on 4.3 to 4.5 (_torrents,
_trackers); private in torrents/info from 5.0, is_private in torrents/properties from 4.5.1 (_versions.FEATURES).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import _torrents as T

if TYPE_CHECKING:
    from ._policies import Policy

URLS_KNOWN = frozenset({"info", "trackers"})
EVERYTHING = frozenset({"info", "trackers", "tracker_messages", "private"})


def read(client, policies: list[Policy], mode: str) -> list[dict[str, Any]]:
    """One torrents/info read (with the trackers where the server lists them in it: 5.1+, and on 4.3 to 4.5 the
    one read is sync/maindata, which lists the tracker URLs but not their messages); otherwise the trackers, and
    the private flag before 5.0, are read only of the torrents that a policy needing them may apply to (reaching).
    """
    tracker_users = [policy for policy in policies if policy.needs_trackers]
    message_users = [policy for policy in tracker_users if policy.match.needs_tracker_messages]
    urls_wanted = reaching(policies, tracker_users, mode, frozenset({"info"}))
    messages = reaching(policies, message_users, mode, URLS_KNOWN)

    def wanted(entry):  # trackers listed in the read (5.1+) cost nothing more
        return "trackers" in entry or urls_wanted(entry)

    entries = T.torrents_info(client, trackers=wanted if tracker_users else None, messages=messages)
    private_users = [policy for policy in policies if policy.match.needs_private]
    if private_users and not client.supports("info_private"):
        private_wanted = reaching(policies, private_users, mode, EVERYTHING - {"private"})
        for entry in entries:
            if private_wanted(entry):
                properties = client.get_json("torrents/properties", {"hash": entry["hash"]})
                entry["private"] = properties.get("is_private")
    return entries


def reaching(policies: list[Policy], users: list[Policy], mode: str, known: frozenset[str]):
    """A test of an entry of which KNOWN is read: whether one of USERS, policies that need more of it, may apply
    (its criteria on KNOWN hold). With first_match, not when an earlier policy that KNOWN decides matches it."""
    users_set = set(users)
    blockers = {policy for policy in policies if mode == "first_match" and policy.match.decided_by(known)}
    ordered = [policy for policy in policies if policy in users_set or policy in blockers]

    def test(entry):
        for policy in ordered:
            if policy.match.test(entry, known):
                return policy in users_set
        return False

    return test
