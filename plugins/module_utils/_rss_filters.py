# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Warnings for the filters of an RSS rule that qBittorrent would keep and then never match (qbt_rss_rule): the
server refuses none of them, so the task sends them and says why they will not match."""

from __future__ import annotations

import re

# PCRE's (?<name>...) is Python's (?P<name>...); lookbehinds (?<= and (?<! are left alone.
_PCRE_NAMED_GROUP = re.compile(r"\(\?<(?![=!])")


def regex_warning(option: str, pattern: str) -> str | None:
    """A warning when Python cannot read a pattern: qBittorrent would silently never match an invalid one.

    qBittorrent uses PCRE (QRegularExpression, case-insensitive, src/base/rss/rss_autodownloadrule.cpp,
    AutoDownloadRule::cachedRegex). Python's re reads most of PCRE (named groups are translated first) but not
    all of it (\\p{L}, variable-length lookbehinds), and no PCRE engine is a dependency here, so a pattern Python
    cannot read is sent with a warning, never refused.
    """
    if not pattern:
        return None
    try:
        re.compile(_PCRE_NAMED_GROUP.sub("(?P<", pattern))
    except re.error as exc:
        return (
            f"{option}: Python cannot read '{pattern}' as a regular expression ({exc}); it was sent as it is. "
            "qBittorrent reads it as PCRE and never matches a pattern that is invalid there: check it, or turn "
            "use_regex off for qBittorrent's wildcard syntax"
        )
    return None


# The form the WebUI's rule editor accepts (AutomatedRssDownloader's episode regex, anchored at the end because
# AutoDownloadRule::matchesEpisodeFilterExpression needs the trailing ';'): a season, then episodes N, N-M or N-.
_EPISODE_FILTER = re.compile(r"\d{1,4}x(?:\d{1,4}(?:-\d{0,4})?;)+", re.IGNORECASE)


def episode_filter_warning(option: str, value: str) -> str | None:
    """A warning for an episode filter qBittorrent cannot read: the server keeps it, and the rule then matches nothing.

    src/base/rss/rss_autodownloadrule.cpp, AutoDownloadRule::matchesEpisodeFilterExpression: a filter that is not
    one season, 'x', and ';'-terminated episodes rejects every article, and an episode that is not a number or a
    range counts as episode 0.
    """
    if not value or _EPISODE_FILTER.fullmatch(value):
        return None
    return (
        f"{option}: '{value}' is not an episode filter qBittorrent can read, so the rule matches no article (or "
        "other episodes than meant). The form is one season, 'x', then episodes each ended by ';': a number, a "
        "range N-M, or N- for N onwards and every later season (1x2;8-15;30-; means episodes 2, 8 to 15, and 30 "
        "onwards of season 1)"
    )
