# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What each qBittorrent release offers: the one version table of the collection.

Sources: API_VERSION in qBittorrent's src/webui/webapplication.h at every release tag, and the endpoint gates
of the reference client qbittorrent-api (see docs/dev/webapi-facts.md#versions and
docs/dev/client-behaviour.md#version-checks-and-unimplemented-endpoints).
"""

from __future__ import annotations

import re

try:
    from packaging.version import InvalidVersion, Version

    HAS_PACKAGING = True
    PACKAGING_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - exercised by the missing-library path
    HAS_PACKAGING = False
    PACKAGING_IMPORT_ERROR = exc

# qBittorrent release (first of a run of releases) -> WebAPI version it reports.
RELEASE_TO_WEBAPI = {
    "4.1.0": "2.0",
    "4.1.1": "2.0.1",
    "4.1.2": "2.0.2",
    "4.1.3": "2.1",
    "4.1.4": "2.1.1",
    "4.1.5": "2.2",
    "4.1.9": "2.2.1",
    "4.2.0": "2.3",
    "4.2.1": "2.4",
    "4.2.2": "2.4.1",
    "4.2.4": "2.5",
    "4.2.5": "2.5.1",
    "4.3.0": "2.6",
    "4.3.1": "2.6.1",
    "4.3.2": "2.7",
    "4.3.4": "2.8.1",
    "4.3.5": "2.8.2",
    "4.4.0": "2.8.4",
    "4.4.1": "2.8.5",
    "4.5.0": "2.8.18",
    "4.5.1": "2.8.19",
    "4.6.0": "2.9.2",
    "4.6.1": "2.9.3",
    "5.0.0": "2.11.2",
    "5.1.0": "2.11.4",
    "5.2.0": "2.15.1",
    "5.3.0": "2.16.2",
}

# Support is a range, not a list: a new bug-fix release of a known minor is supported.
# The upper bounds are exclusive: the first minor we have never seen.
SUPPORTED_APP_RANGE = ("4.1.0", "5.4.0")
SUPPORTED_WEBAPI_RANGE = ("2.0", "2.17")

# Endpoint -> (first WebAPI version that has it, first version that no longer has it or None).
# Endpoints not listed exist in every supported version.
ENDPOINTS = {
    "app/buildInfo": ("2.3", None),
    "app/rotateAPIKey": ("2.14.0", None),
    "app/deleteAPIKey": ("2.14.1", None),
    "app/processInfo": ("2.15.1", None),
    "torrents/setShareLimits": ("2.0.1", None),
    "torrents/reannounce": ("2.0.2", None),
    "torrents/editCategory": ("2.1.0", None),
    "torrents/categories": ("2.1.1", None),
    "torrents/editTracker": ("2.2.0", None),
    "torrents/removeTrackers": ("2.2.0", None),
    "torrents/tags": ("2.3.0", None),
    "torrents/addTags": ("2.3.0", None),
    "torrents/removeTags": ("2.3.0", None),
    "torrents/createTags": ("2.3.0", None),
    "torrents/deleteTags": ("2.3.0", None),
    "torrents/setSavePath": ("2.8.4", None),
    "torrents/setDownloadPath": ("2.8.4", None),
    "torrents/setTags": ("2.11.4", None),
    "torrents/pause": ("2.0", "2.11.0"),
    "torrents/resume": ("2.0", "2.11.0"),
    "torrents/stop": ("2.11.0", None),
    "torrents/start": ("2.11.0", None),
    "rss/refreshItem": ("2.2", None),
    "rss/markAsRead": ("2.5.1", None),
    "rss/matchingArticles": ("2.5.1", None),
    "rss/setFeedURL": ("2.9.1", None),
    "rss/setFeedRefreshInterval": ("2.11.5", None),
    # search plugins (qbt_search_plugin): src/webui/api/searchcontroller.cpp, first at release-4.1.4
    "search/plugins": ("2.1.1", None),
    "search/installPlugin": ("2.1.1", None),
    "search/uninstallPlugin": ("2.1.1", None),
    "search/enablePlugin": ("2.1.1", None),
    # src/webui/api/transfercontroller.cpp, TransferController::setSpeedLimitsModeAction: commit 7d9790571
    # raised API_VERSION (src/webui/webapplication.h) from 2.8.13 to 2.8.14; first release 4.5.0.
    "transfer/setSpeedLimitsMode": ("2.8.14", None),
    # src/webui/api/appcontroller.cpp, AppController::cookiesAction and setCookiesAction: commit 6bbb7b71c, made
    # while API_VERSION was 2.11.3; first release 5.1.0 (WebAPI 2.11.4).
    "app/cookies": ("2.11.3", None),
    "app/setCookies": ("2.11.3", None),
}

# Features that are not whole endpoints: (minimum WebAPI version, the first release that has it).
FEATURES = {
    "api_key": ("2.14.1", "5.2.0"),
    "category_download_path": ("2.8.4", "4.4.0"),
    "torrent_stopped_names": ("2.11.0", "5.0.0"),
    "json_add_answer": ("2.14.0", "5.2.0"),
    "editcategory_unchanged_ok": ("2.15.1", "5.2.0"),
    # Up to 5.1 max_ratio (and the seeding times) are applied only with their *_enabled switch in the same write.
    "share_limits_uncoupled": ("2.11.6", "5.2.0"),
    # 5.2+ refuses a WebUI username under 3 characters (or with ':') and a password under 6 with HTTP 400.
    "webui_credential_rules": ("2.15.0", "5.2.0"),
    # RSS rules: priority and torrentParams came with 4.6.0 without a WebAPI bump of their own, share limit
    # actions in torrentParams with 5.0.0 (AutoDownloadRule::fromJsonObject; docs/dev/rss-facts.md#versions).
    "rss_rule_torrent_params": ("2.9.2", "4.6.0"),
    "rss_rule_share_limit_action": ("2.11.2", "5.0.0"),
    # Before 4.3.2 a rule has createSubfolder, not torrentContentLayout (Str_ContentLayout in
    # src/base/rss/rss_autodownloadrule.cpp first appears at release-4.3.2; observed on 4.2.5).
    "rss_rule_content_layout": ("2.7", "4.3.2"),
    # torrents (qbt_torrent), docs/dev/webapi-facts.md#torrents and #trackers; checked on 4.5.2, 5.1.0 and 5.3.0
    "add_content_layout": ("2.7", "4.3.2"),
    # torrents/add reads tags from 4.3.2 and ratioLimit/seedingTimeLimit from 4.3.4; before, it ignores them
    # (TorrentsController::addAction, src/webui/api/torrentscontroller.cpp, at release-4.2.5, -4.3.2 and -4.3.4).
    "add_tags": ("2.7", "4.3.2"),
    "add_share_limits": ("2.8.1", "4.3.4"),
    # BitTorrent v2 (v2-only torrents, btmh magnets, v2 hashes) came with libtorrent 2.0 support in 4.4.0
    # (minLibtorrentVersion 2.0.4 in CMakeLists.txt, src/base/bittorrent/infohash.h). Before, TorrentInfo::load
    # (libtorrent 1.2) finds no 'pieces' in a v2-only .torrent and addAction answers 415, and MagnetUri::MagnetUri
    # (src/base/bittorrent/magneturi.cpp) finds no btih in a btmh-only magnet, so addAction answers "Fails." (both
    # at release-4.2.5; observed on 4.2.5). A 4.4+ build on libtorrent 1.2 has the same limits; no version says so.
    "v2_torrents": ("2.8.4", "4.4.0"),
    # Before 4.3.0 TorrentHandleImpl::hasFirstLastPiecePriority (src/base/bittorrent/torrenthandleimpl.cpp at
    # release-4.2.5) reads the piece priorities, which libtorrent does not keep for a complete torrent: it reads false
    # there and toggleFirstLastPiecePrio changes nothing (observed on 4.2.5). From 4.3.0 it is a stored flag.
    "first_last_piece_when_complete": ("2.6", "4.3.0"),
    # torrents/info filters by tag from 4.4.0 (TorrentsController::infoAction, commit 9bfc74a1b, no WebAPI bump of
    # its own); before, the parameter is ignored and every torrent is listed.
    "info_tag_filter": ("2.8.4", "4.4.0"),
    "add_stop_condition": ("2.8.15", "4.5.0"),
    "add_to_top_of_queue": ("2.9.2", "4.6.0"),
    "add_seed_mode": ("2.16.0", "5.3.0"),  # torrents/add ignores skip_checking from here on
    "torrent_inactive_seeding_time_limit": ("2.9.2", "4.6.0"),
    "torrent_share_limit_action": ("2.12.0", "5.2.0"),  # torrents/info reports it from 5.2 on
    "info_include_trackers": ("2.11.4", "5.1.0"),
    # sync/maindata lists every tracker URL with the torrents that have it from 4.3.0 (SyncController::maindataAction,
    # src/webui/api/synccontroller.cpp at release-4.3.0), and its torrents as torrents/info does (both serialize()
    # each torrent, serialize_torrent.cpp). From 4.6.0 it answers from a snapshot that signals keep up to date
    # (SyncController::makeMaindataSnapshot), whose torrent fields can lag: the collection reads it only before.
    "maindata_trackers": ("2.6", "4.3.0"),
    "maindata_snapshot": ("2.9.2", "4.6.0"),
    "trackers_many_hashes": ("2.15.1", "5.2.0"),  # addTrackers/removeTrackers take a |-list of hashes
    # torrents/editTracker names the edited URL 'url' from WebAPI 2.13.0, 'origUrl' before (WebAPI_Changelog.md,
    # 2.13.0; TorrentsController::editTrackerAction at release-5.1.0 and release-5.2.0, commit 6ef9db89f).
    "edit_tracker_url": ("2.13.0", "5.2.0"),
    # torrents/info reports seeding_time (seconds) from 4.3.4 (serialize_torrent.cpp, commit 560ecbc6c, WebAPI 2.8.1).
    "info_seeding_time": ("2.8.1", "4.3.4"),
    # torrents/properties reports is_private from 4.5.1 (TorrentsController::propertiesAction, commit af91f4ed5), and
    # torrents/info reports private from 5.0.0 (serialize_torrent.cpp, commit 914728d9a raised WebAPI to 2.11.1).
    "properties_is_private": ("2.8.19", "4.5.1"),
    "info_private": ("2.11.1", "5.0.0"),
    # torrents/info reports infohash_v1/infohash_v2 (and so can sort by infohash_v2) from 4.4 (libtorrent 2: v2)
    "info_hash_v2": ("2.8.4", "4.4.0"),
    # createCategory/editCategory take ratioLimit, seedingTimeLimit, inactiveSeedingTimeLimit, shareLimitAction
    # (observed on 5.3.0, WebAPI 2.16.2; 5.2.x, WebAPI 2.15.x, reports the limits but takes none of them).
    "category_share_limits": ("2.16.0", "5.3.0"),
}

_LEADING_V = re.compile(r"^[vV]")


def parse_version(text: str) -> Version:
    """Parse 'v5.3.0alpha1', '2.8.19' or '5.1.0' into a comparable version; raise ValueError when it is none."""
    try:
        return Version(_LEADING_V.sub("", str(text).strip()))
    except InvalidVersion as exc:
        raise ValueError(f"{text!r} is not a version") from exc


def _in_range(version: str, bounds: tuple[str, str]) -> bool:
    try:
        parsed = parse_version(version)
    except ValueError:
        return False
    # Pre-releases of a supported minor (5.3.0alpha1) are inside the range too.
    base = Version(parsed.base_version)
    return parse_version(bounds[0]) <= base < parse_version(bounds[1])


def is_app_version_supported(app_version: str) -> bool:
    """True when a qBittorrent release such as 'v5.1.2' is inside the supported range."""
    return _in_range(app_version, SUPPORTED_APP_RANGE)


def is_webapi_version_supported(webapi_version: str) -> bool:
    """True when a WebAPI version such as '2.11.4' is inside the supported range."""
    return _in_range(webapi_version, SUPPORTED_WEBAPI_RANGE)


def release_for_webapi(webapi_version: str) -> str:
    """The first qBittorrent release that reports this WebAPI version or a later one (for messages)."""
    wanted = parse_version(webapi_version)
    for release, api in sorted(RELEASE_TO_WEBAPI.items(), key=lambda item: parse_version(item[1])):
        if parse_version(api) >= wanted:
            return release
    return f"a release with WebAPI {webapi_version}"


def gap(name: str, webapi_version: Version, subject: str | None = None) -> str | None:
    """None when the server has NAME (an ENDPOINTS or FEATURES entry; anything else exists everywhere), else a
    sentence saying which release brings (or removed) it. SUBJECT says what needs it in a person's words
    ('tags in RSS rules'); it defaults to the endpoint or feature name."""
    if name in FEATURES:
        minimum, release = FEATURES[name]
        if webapi_version >= parse_version(minimum):
            return None
        return (
            f"{subject or name} needs qBittorrent {release} or later (WebAPI {minimum}); this server has WebAPI "
            f"{webapi_version}"
        )
    bounds = ENDPOINTS.get(name)
    if bounds is None:
        return None
    introduced, removed = bounds
    what, endpoint = (subject, f", the endpoint {name}") if subject else (f"the endpoint {name}", "")
    if webapi_version < parse_version(introduced):
        return (
            f"{what} needs qBittorrent {release_for_webapi(introduced)} or later (WebAPI {introduced}{endpoint}); "
            f"this server has WebAPI {webapi_version}"
        )
    if removed is not None and webapi_version >= parse_version(removed):
        return (
            f"{what} was removed in qBittorrent {release_for_webapi(removed)} (WebAPI {removed}{endpoint}); this "
            f"server has WebAPI {webapi_version}"
        )
    return None


def has_feature(feature: str, webapi_version: Version) -> bool:
    """True when the server's WebAPI version has a feature named in FEATURES."""
    return webapi_version >= parse_version(FEATURES[feature][0])
