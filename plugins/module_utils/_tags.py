# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tags: the server's tag set (qbt_tag), read and written in one request each way.

Server facts (src/webui/api/torrentscontroller.cpp: tagsAction, createTagsAction, deleteTagsAction): both
writes take a comma-separated list; creating a tag that exists is a no-op, so two runs racing to create the same
tag both succeed.
"""

from __future__ import annotations

from ._engine import Resource


class Tags(Resource):
    list_option = "tags"
    noun = "tag"
    requires = ("torrents/tags", "tags")

    def read(self):
        return {name: {} for name in self.client.get_json("torrents/tags")}

    def predicted(self, current, plan, desired):
        return {name: {} for name in set(current).union(plan.create).difference(plan.remove)}

    def shown(self, state):
        return sorted(state)

    def summary(self, plan):
        return {"created": sorted(plan.create), "deleted": sorted(plan.remove)}

    def diff(self, plan, current, desired):
        after = self.predicted(current, plan, desired)
        return {"before": {"tags": sorted(current)}, "after": {"tags": sorted(after)}}

    def apply(self, plan, current, desired):
        if plan.create:
            self.client.post("torrents/createTags", {"tags": ",".join(sorted(plan.create))})
        if plan.remove:
            self.client.post("torrents/deleteTags", {"tags": ",".join(sorted(plan.remove))})
