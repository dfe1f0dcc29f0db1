#!/usr/bin/env bash
# The fleet test: examples/fleet/site.yml against the real plain-HTTP servers (4.2.5, 4.5.2, 5.1.x, 5.3+) as inventory
# hosts, in one run with forks. It converges them, re-runs with changed=0 on every host, then makes one server drift
# by hand and checks that --check --diff shows exactly that drift, on that host only, and changes nothing.
# Before the first run every server gets a torrent in the category of the example's torrent policy, without the
# policy's tag and limits; after the converge and after the repair each one must carry them.
set -eu

# shellcheck source=tests/integration/targets/setup_runme/config.sh
source ../setup_runme/config.sh
read -r harness state python < <(python3 - "$config" <<'PY'
import os, sys, yaml
config = yaml.safe_load(open(sys.argv[1]))
print(config["qbt_harness_script"], os.path.dirname(config["qbt_harness_state"]), config["ansible_python_interpreter"])
PY
)
collection=${ANSIBLE_COLLECTIONS_PATH%%:*}/ansible_collections/community/qbittorrent
site=$collection/examples/fleet/site.yml
[ -f "$site" ] || { echo "examples/fleet/site.yml not found under $collection" >&2; exit 1; }

workdir=$(mktemp -d)
"$python" "$harness" inventory --state "$state" --out "$workdir/inventory.yml"
# Each host gets a folder of its own under its server's download folder, for the test torrent's data.
"$python" - "$workdir/inventory.yml" "$state/servers.json" <<'PY'
import json, sys
inventory = json.load(open(sys.argv[1]))
folders = {entry["name"]: entry["download_dir"] for entry in json.load(open(sys.argv[2]))["servers"]}
for host in inventory["qbittorrent"]["hosts"].values():
    host["qbt_fleet_test_dir"] = folders[host["qbt_server_name"]] + "/fleet-policy"
json.dump(inventory, open(sys.argv[1], "w"), indent=2)
PY
export ANSIBLE_PYTHON_INTERPRETER=$python ANSIBLE_NOCOLOR=1
run() { # run NAME ARGS...: ansible-playbook on the fleet, output in $workdir/NAME.log
    local name=$1
    shift
    ansible-playbook -i "$workdir/inventory.yml" --forks 4 "$site" -e "qbt_execution=$execution" "$@" >"$workdir/$name.log" 2>&1 || {
        tail -n 80 "$workdir/$name.log"
        return 1
    }
}
policy_task() { # policy_task NAME: the output of the policy task in a run's log
    sed -n '/^TASK \[Apply the torrent policies/,/^TASK \[/p' "$workdir/$1.log"
}
policy_applied() { # policy_applied WHEN: every test torrent carries the policy's tag and limits
    ansible-playbook -i "$workdir/inventory.yml" "$workdir/policy_applied.yml" >"$workdir/policy-$1.log" 2>&1 || {
        tail -n 40 "$workdir/policy-$1.log"
        echo "the example's policy did not apply to every test torrent ($1)" >&2
        return 1
    }
}
recap() { # recap NAME: "host changed=N" lines of a run's PLAY RECAP
    sed -n '/PLAY RECAP/,$p' "$workdir/$1.log" | sed -n 's/^\(qbt-[^ ]*\) *: .*changed=\([0-9]*\).*/\1 changed=\2/p' | sort
}

cleanup() {
    ansible-playbook -i "$workdir/inventory.yml" "$workdir/cleanup_real.yml" >"$workdir/cleanup.log" 2>&1 || {
        echo "cleaning up after the fleet test failed:" >&2
        tail -n 40 "$workdir/cleanup.log" >&2
    }
    rm -rf "$workdir"
}
trap cleanup EXIT
# The servers are shared with the other targets: remember the preferences the fleet example changes, and
# restore them and remove everything else it declared when the test ends.
cat >"$workdir/snapshot.yml" <<YAML
- name: Remember the preferences the fleet example declares
  hosts: qbittorrent
  gather_facts: false
  vars_files: [$collection/examples/fleet/group_vars/qbittorrent.yml]
  tasks:
    - name: Read the preferences
      community.qbittorrent.qbt_info:
        url: "{{ qbt_url }}"
        username: "{{ qbt_username }}"
        password: "{{ qbt_password }}"
        gather_subset: [preferences]
      delegate_to: localhost
      register: before
    - name: Keep the declared keys' values
      ansible.builtin.copy:
        dest: "$workdir/{{ inventory_hostname }}.prefs.json"
        content: "{{ before.preferences | dict2items | selectattr('key', 'in', qbt_preferences | list + ['start_paused_enabled']) | items2dict | to_json }}"
        mode: "0600"
      delegate_to: localhost

- name: Add a torrent in the category of the example's policy, without the policy's tag and limits
  hosts: qbittorrent
  gather_facts: false
  vars_files: [$collection/examples/fleet/group_vars/qbittorrent.yml]
  module_defaults:
    group/community.qbittorrent.qbittorrent:
      url: "{{ qbt_url }}"
      username: "{{ qbt_username }}"
      password: "{{ qbt_password }}"
  vars:
    policy: "{{ qbt_torrent_policies[0] }}"
  tasks:
    - name: Build a torrent without trackers, and its data
      ansible.builtin.command:
        argv: [$python, $(dirname "$harness")/torrents.py, make, --data-dir, "{{ qbt_fleet_test_dir }}",
               --torrent-dir, "$workdir/{{ inventory_hostname }}", --name, fleet-policy-movie,
               --seed, "{{ inventory_hostname }}"]
      delegate_to: localhost
      register: built
      changed_when: false
    - name: Add it, stopped, to the policy's category (automatic management off, so it stays in its folder)
      community.qbittorrent.qbt_torrent:
        source: "{{ (built.stdout | from_json).torrent }}"
        save_path: "{{ qbt_fleet_test_dir }}"
        category: "{{ policy.match.categories[0] }}"
        create_category: true
        auto_tmm: false
        state: stopped
      delegate_to: localhost
    - name: Keep its hash for the checks
      ansible.builtin.copy:
        dest: "$workdir/{{ inventory_hostname }}.hash"
        content: "{{ (built.stdout | from_json).id }}"
        mode: "0600"
      delegate_to: localhost
    - name: Read it
      community.qbittorrent.qbt_info:
        gather_subset: [torrents]
        torrent_filters:
          hashes: ["{{ (built.stdout | from_json).id }}"]
        torrent_fields: [hash, name, category, tags, ratio_limit, seeding_time_limit]
      delegate_to: localhost
      register: before
    - name: It has none of what the policy sets yet (so the checks after the play can fail)
      ansible.builtin.assert:
        that:
          - before.torrents | length == 1
          - before.torrents[0].tags | intersect(policy.set.add_tags) == []
          - before.torrents[0].ratio_limit != policy.set.ratio_limit
          - before.torrents[0].seeding_time_limit != policy.set.seeding_time_limit
        fail_msg: "{{ inventory_hostname }}: {{ before.torrents }}"
YAML
cat >"$workdir/policy_applied.yml" <<YAML
- name: Check that the example's policy applied to the test torrent
  hosts: qbittorrent
  gather_facts: false
  vars_files: [$collection/examples/fleet/group_vars/qbittorrent.yml]
  vars:
    policy: "{{ qbt_torrent_policies[0] }}"
  tasks:
    - name: Read the test torrent
      community.qbittorrent.qbt_info:
        url: "{{ qbt_url }}"
        username: "{{ qbt_username }}"
        password: "{{ qbt_password }}"
        gather_subset: [torrents]
        torrent_filters:
          hashes: ["{{ lookup('ansible.builtin.file', '$workdir/' ~ inventory_hostname ~ '.hash') }}"]
        torrent_fields: [hash, name, category, tags, ratio_limit, seeding_time_limit]
      delegate_to: localhost
      register: after
    - name: It carries the policy's tag and limits
      ansible.builtin.assert:
        that:
          - after.torrents | length == 1
          - after.torrents[0].category == policy.match.categories[0]
          - after.torrents[0].tags == policy.set.add_tags
          - after.torrents[0].ratio_limit == policy.set.ratio_limit
          - after.torrents[0].seeding_time_limit == policy.set.seeding_time_limit
        fail_msg: "{{ inventory_hostname }}: {{ after.torrents }}"
YAML
cat >"$workdir/cleanup_real.yml" <<YAML
- name: Remove what the fleet example declared and restore the preferences
  hosts: qbittorrent
  gather_facts: false
  vars_files: [$collection/examples/fleet/group_vars/qbittorrent.yml]
  module_defaults:
    group/community.qbittorrent.qbittorrent:
      url: "{{ qbt_url }}"
      username: "{{ qbt_username }}"
      password: "{{ qbt_password }}"
  tasks:
    - name: Remove the test torrent with its data (a policy on its folder)
      community.qbittorrent.qbt_torrent_policy:
        policies:
          - name: cleanup
            match:
              save_path_prefix: "{{ qbt_fleet_test_dir }}"
            set:
              state: absent
              delete_files: true
      delegate_to: localhost
    - name: Remove the test torrent's folder
      ansible.builtin.file:
        path: "{{ qbt_fleet_test_dir }}"
        state: absent
      delegate_to: localhost
    - name: Remove the categories
      community.qbittorrent.qbt_category:
        name: "{{ item.name }}"
        state: absent
      loop: "{{ qbt_categories | reverse | list }}"
      delegate_to: localhost
    - name: Remove the tags
      community.qbittorrent.qbt_tag:
        tags: "{{ qbt_tags }}"
        state: absent
      delegate_to: localhost
    - name: Remove the RSS rules
      community.qbittorrent.qbt_rss_rule:
        name: "{{ item.name }}"
        state: absent
      loop: "{{ qbt_rss_rules }}"
      delegate_to: localhost
    - name: Remove the RSS feeds and folders
      community.qbittorrent.qbt_rss_feed:
        path: "{{ item.path }}"
        state: absent
      loop: "{{ qbt_rss_feeds | reverse | list }}"
      delegate_to: localhost
    - name: Restore the preferences
      community.qbittorrent.qbt_preferences:
        preferences: "{{ lookup('ansible.builtin.file', '$workdir/' ~ inventory_hostname ~ '.prefs.json') | from_json }}"
        unknown_keys: ignore
      delegate_to: localhost
YAML

ansible-playbook -i "$workdir/inventory.yml" "$workdir/snapshot.yml" >"$workdir/snapshot.log" 2>&1 || {
    tail -n 40 "$workdir/snapshot.log"
    exit 1
}
run converge
echo "converge: $(recap converge | tr '\n' ' ')"
hosts=$(recap converge | wc -l)
[ "$hosts" -ge 3 ] || { echo "the fleet has $hosts hosts, not the harness's plain-HTTP servers" >&2; exit 1; }
[ "$(recap converge | grep -c 'changed=[1-9]')" = "$hosts" ] || { echo "the first run did not change every server" >&2; exit 1; }
[ "$(policy_task converge | grep -c '^changed: \[qbt-')" = "$hosts" ] || {
    echo "the policy task did not change the test torrent of every server" >&2
    exit 1
}
policy_applied converge

run again
echo "again: $(recap again | tr '\n' ' ')"
[ "$(recap again | grep -c 'changed=0')" = "$hosts" ] || { echo "the second run changed something" >&2; exit 1; }

# Drift on one server: a category deleted by hand, a tag deleted by hand (which takes it off the test torrent too:
# the tag task creates the tag again, and the policy gives it back to the torrent).
drifted=qbt-5.1.0
"$python" - "$workdir/inventory.yml" "$drifted" <<'PY'
import json, sys, urllib.parse, urllib.request
host = json.load(open(sys.argv[1]))["qbittorrent"]["hosts"][sys.argv[2]]
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
def post(endpoint, **fields):
    opener.open(host["qbt_url"] + "/api/v2/" + endpoint, urllib.parse.urlencode(fields).encode()).read()
post("auth/login", username=host["qbt_username"], password=host["qbt_password"])
post("torrents/removeCategories", categories="tv")
post("torrents/deleteTags", tags="hd")
post("auth/logout")
PY

# what --check and the repair must report: changed=3 on the drifted host, changed=0 on every other
expected=$(recap again | sed "s/^\($drifted\) changed=0\$/\1 changed=3/")
grep -qx "$drifted changed=3" <<<"$expected" || { echo "$drifted is not in the fleet" >&2; exit 1; }
run check --check --diff
echo "check: $(recap check | tr '\n' ' ')"
[ "$(recap check)" = "$expected" ] || {
    echo "--check did not report exactly the drifted host" >&2
    exit 1
}
grep -A12 'TASK \[Declare the categories\]' "$workdir/check.log" | grep -q '"state": "absent"' || {
    echo "the category diff does not show the deleted category" >&2
    exit 1
}
grep -q '"hd"' "$workdir/check.log" || { echo "the tag diff does not show the deleted tag" >&2; exit 1; }
[ "$(policy_task check | grep '^changed: \[qbt-')" = "changed: [$drifted -> localhost]" ] || {
    echo "the policy task in check mode did not report exactly the drifted host's test torrent" >&2
    exit 1
}

# --check changed nothing: the drift is still there, and a real run repairs exactly it.
run repair
echo "repair: $(recap repair | tr '\n' ' ')"
[ "$(recap repair)" = "$expected" ] || {
    echo "check mode changed the drifted server, or the repair run did not repair it" >&2
    exit 1
}
policy_applied repair
echo "fleet: converged $hosts servers (the policy applied to each test torrent), re-run unchanged, drift on" \
    "$drifted found by --check and repaired"
