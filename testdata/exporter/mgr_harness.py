#!/usr/bin/python3
"""Run the REAL ceph-mgr `prometheus` module over a directory of Ceph JSON dumps.

usage: mgr_harness.py DUMPDIR [--repeat N] [--perf-fallback DIR] [--mgr-dir DIR] [--log FILE]
                      [--option KEY=VALUE ...]

Provenance: a copy of the team's shared/tools/mgr_harness.py (written for the 16.2.15 module),
extended for the 20.2.4 (Tentacle) module in this repository: the unlabeled perf-counter
primitives, `osd blocklist ls` answered from osd_dump.json, librbd's image listing answered
from rbd_ls.<pool>.json, module options (--option), release names up to 20.  Run with the
16.2.15 module it behaves as the shared copy.

The module is imported unchanged from /usr/share/ceph/mgr (Debian ceph-mgr-modules-core
16.2.15, or 20.2.4 in a Debian sid chroot).  Only the C++ side of ceph-mgr is replaced: a fake `ceph_module` extension whose
`BaseMgrModule._ceph_*` primitives answer from DUMPDIR the way ActivePyModules/DaemonState
answer inside a running mgr.  MgrModule (mgr_module.py) and the prometheus Module run as
shipped, so every metric comes from the module's own `collect()`.

What each primitive serves (file names are the capture's, named after the command):

  get('health')        {"json": <text of health_detail.json>}         (mon health, detail=true)
  get('mon_status')    {"json": <text of mon_status.<mon>.json>}       (admin-socket mon_status)
  get('df')            df_detail.json                                   (dump_cluster_stats+pool_stats_full, verbose)
  get('osd_map')       osd_dump.json;  'osd_map_crush' osd_crush_dump.json; 'osd_map_tree' osd_tree.json
  get('pg_dump')       pg_dump.json["pg_map"] without osd_stats[].network_ping_times (PGMap::dump(f, false))
  get('osd_stats')     {"osd_stats": ..., "pool_statfs": ...} from pg_dump (dump_osd_stats(f, false))
  get('pg_summary')    computed from pg_dump like ActivePyModules: by_osd (acting), by_pool, all
                       (std::map order: string-sorted keys), pg_stats_sum
  get('osd_pool_stats') {"pool_stats": osd_pool_stats.json}
  get('fs_map') fs_dump.json, 'mgr_map' mgr_dump.json, 'mon_map' mon_dump.json,
  get('service_map') service_dump.json, 'io_rate', 'pg_status', 'pg_stats', 'pool_stats',
  get('pg_ready'), 'osd_metadata', 'mds_metadata', 'devices', 'mgr_ips'
  get_metadata/list_servers/get_server: a DaemonStateIndex built from mon/mgr/osd/mds
                       metadata dumps and service_dump daemons (std::map order by hostname,
                       then (type, id) as strings)
  get_perf_schema/get_latest_counter: per daemon from perf_schema.<d>.json + perf_dump.<d>.json;
                       only counters a daemon's MgrClient declares (adjusted priority >=
                       mgr_stats_threshold = 5, histograms excluded) in std::map path order;
                       TIME values converted from the admin socket's "s.nnnnnnnnn" seconds to
                       the u64 nanoseconds the mgr holds (exact, no float round trip)
  get_daemon_health_metrics: daemon_health_metrics.json if present, else SLOW_OPS for every
                       mon and osd plus PENDING_CREATING_PGS for every osd, from health_detail
                       (SLOW_OPS check) and pg_dump (creating PGs by primary)
  A daemon whose perf files are absent (e.g. an OSD that was down at capture time) has a
  DaemonState but no counters; --perf-fallback DIR takes its files from another capture of the
  same cluster, standing in for the last report the mgr keeps from a daemon that went down.
  _ceph_get_unlabeled_perf_schema / _ceph_get_latest_unlabeled_counter (20.2.4's names):
                       the same as get_perf_schema / get_latest_counter
  mon_command('osd blocklist ls') (20.2.4): "listed N entries", N = the entries of
                       osd_dump.json's blocklist and range_blocklist
  RBD().list2(ioctx) / self.rados.open_ioctx(pool) (20.2.4, ceph_rbd_image_metadata): the
                       images of rbd_ls.<pool>.json (`rbd ls|du --pool <pool> --format json`;
                       snapshot entries skipped); a pool without that file raises as librbd
                       would, which the module logs and skips
  orchestrator (20.2.4: cephadm daemon status, SMB, node-proxy hardware): none, as on a
                       cluster without cephadm (the orchestrator module option is unset, so the
                       module's calls raise NoOrchestrator and it logs and moves on)
  module options: defaults, or --option KEY=VALUE (true/false/integers converted; e.g.
                       exclude_perf_counters=false); rbd_stats_pools='' -> no RBD perf query;
  KV store: in memory; have_mon_connection: True; logging: the mgr's own logging setup with
  debug_mgr=2/5 (INFO), records discarded unless --log FILE.

Every get() returns freshly decoded objects (json.loads of text prepared at load time), as the
mgr's PyFormatter builds new Python objects on every call; so collect() timings include that
cost.  Output: the module's exposition text on stdout.  With --repeat N, collect() runs N
times and the median seconds go to stderr as JSON:
  {"collect_s": median, "samples": <sample lines in the output>, "runs": [seconds per call],
   "load_s": ..., "methods": {profiled method: median s}, "get_decode_s": {get() name: median s}}
"""
import argparse
import glob
import json
import logging
import os
import statistics
import sys
import time
import types

STATS_THRESHOLD = 5          # mgr_stats_threshold default (PerfCountersBuilder::PRIO_USEFUL)
PERFCOUNTER_TIME = 0x1
PERFCOUNTER_LONGRUNAVG = 0x4
PERFCOUNTER_HISTOGRAM = 0x10
UNITS = {'bytes': 0, 'none': 1}
DEBUG_MGR = '2/5'            # SUBSYS(mgr, 2, 5)


def _read(path):
    with open(path, 'rb') as f:
        return f.read().decode('utf-8')


def secs_to_ns(v):
    """Admin-socket TIME value ("%d.%09d" seconds, parsed as str) -> u64 nanoseconds."""
    if isinstance(v, int):
        return v * 1000000000
    s = str(v)
    if 'e' in s or 'E' in s:
        from decimal import Decimal
        return int(Decimal(s) * 1000000000)
    neg = s.startswith('-')
    if neg:
        s = s[1:]
    whole, _, frac = s.partition('.')
    ns = int(whole or '0') * 1000000000 + int((frac + '000000000')[:9])
    return -ns if neg else ns


def _as_int(v):
    if isinstance(v, int):
        return v
    return int(float(v))


class DumpCluster:
    """Everything the mgr's C++ side would know, prepared from one dump directory."""

    def __init__(self, path, perf_fallback=None):
        self.path = path
        self.perf_fallback = perf_fallback
        self.texts = {}              # get() name -> JSON text
        self.store = {}              # module KV store
        self.stamp = time.time()
        self.get_time = {}           # get() name -> seconds spent decoding, this collect
        self._load()

    # -- helpers -----------------------------------------------------------------------
    def f(self, name):
        return os.path.join(self.path, name)

    def has(self, name):
        return os.path.exists(self.f(name))

    def first(self, *patterns):
        for pat in patterns:
            hits = sorted(glob.glob(self.f(pat)))
            if hits:
                return hits[0]
        return None

    def load_json(self, name, default=None):
        p = self.f(name)
        if not os.path.exists(p):
            return default
        with open(p, 'rb') as fh:
            return json.load(fh)

    # -- loading -----------------------------------------------------------------------
    def _load(self):
        t = self.texts
        health = self.first('health_detail.json', 'health.json')
        if health:
            t['health'] = json.dumps({'json': _read(health)})
        mon_status = self.first('mon_status.*.json', 'tell_mon.*_mon_status.json',
                                'mon_status.json', 'quorum_status.json')
        if mon_status:
            t['mon_status'] = json.dumps({'json': _read(mon_status)})
        for name, fname in (('df', 'df_detail.json'), ('osd_map', 'osd_dump.json'),
                            ('osd_map_crush', 'osd_crush_dump.json'),
                            ('osd_map_tree', 'osd_tree.json'), ('fs_map', 'fs_dump.json'),
                            ('mgr_map', 'mgr_dump.json'), ('mon_map', 'mon_dump.json'),
                            ('service_map', 'service_dump.json')):
            if self.has(fname):
                t[name] = _read(self.f(fname))
        if 'df' not in t and self.has('df.json'):
            t['df'] = _read(self.f('df.json'))
        if self.has('osd_pool_stats.json'):
            t['osd_pool_stats'] = '{"pool_stats": %s}' % _read(self.f('osd_pool_stats.json'))
        if self.has('device_ls.json'):
            t['devices'] = '{"devices": %s}' % _read(self.f('device_ls.json'))
        if self.has('pg_stat.json'):
            ps = self.load_json('pg_stat.json')
            t['pg_status'] = json.dumps(ps.get('pg_summary', ps) if isinstance(ps, dict) else ps)
        self.mgr_map = json.loads(t['mgr_map']) if 'mgr_map' in t else {}
        ips = []
        for a in self.mgr_map.get('active_addrs', {}).get('addrvec', []):
            ip = a.get('addr', '').rsplit(':', 1)[0]
            if ip and ip not in ips:
                ips.append(ip)
        t['mgr_ips'] = json.dumps({'ips': ips})
        t['config'] = '{}'
        t['config_options'] = '{"options": []}'
        t['have_local_config_map'] = '{"have_local_config_map": true}'
        self._load_pgmap()
        self._load_daemons()
        self._load_perf()
        self._load_health_metrics()

    def _load_pgmap(self):
        self.creating_by_primary = {}
        if not self.has('pg_dump.json'):
            return
        with open(self.f('pg_dump.json'), 'rb') as fh:
            dump = json.load(fh)
        pg_map = dump.get('pg_map', dump)
        t = self.texts
        t['pg_ready'] = json.dumps({'pg_ready': dump.get('pg_ready', True)})
        for o in pg_map.get('osd_stats', []):
            o.pop('network_ping_times', None)        # dump_osd_stats(f, with_net=false)
        osds, pools, alls = {}, {}, {}
        for pg in pg_map.get('pg_stats', []):
            state = pg['state']
            pool = pg['pgid'].split('.', 1)[0]
            d = pools.setdefault(pool, {})
            d[state] = d.get(state, 0) + 1
            for osd in pg.get('acting', []):
                d = osds.setdefault(str(osd), {})
                d[state] = d.get(state, 0) + 1
            alls[state] = alls.get(state, 0) + 1
            if 'creating' in state.split('+'):
                prim = pg.get('acting_primary', pg.get('up_primary', -1))
                self.creating_by_primary[prim] = self.creating_by_primary.get(prim, 0) + 1

        def srt(m):
            return {k: {s: v[s] for s in sorted(v)} for k, v in sorted(m.items())}
        t['pg_summary'] = json.dumps({
            'by_osd': srt(osds), 'by_pool': srt(pools),
            'all': {s: alls[s] for s in sorted(alls)},
            'pg_stats_sum': pg_map.get('pg_stats_sum', {}),
        })
        t['osd_stats'] = json.dumps({'osd_stats': pg_map.get('osd_stats', []),
                                     'pool_statfs': pg_map.get('pool_statfs', [])})
        t['pg_stats'] = json.dumps({'pg_stats': pg_map.get('pg_stats', [])})
        t['pool_stats'] = json.dumps({'pool_stats': pg_map.get('pool_stats', [])})
        delta = pg_map.get('pg_stats_delta', {})
        t['io_rate'] = json.dumps({'pg_stats_delta': delta,
                                   'stamp_delta': delta.get('stamp_delta', '')})
        t['pg_dump'] = json.dumps(pg_map)
        del dump, pg_map

    def _load_daemons(self):
        """DaemonStateIndex: (type, id) -> (hostname, metadata map<string,string>)."""
        self.daemons = {}

        def add(dtype, did, md):
            md = dict(md)
            host = str(md.get('hostname', ''))
            for k in ('id', 'name') if dtype in ('osd', 'mon', 'mgr', 'mds') else ():
                md.pop(k, None)
            meta = {k: (v if isinstance(v, str) else json.dumps(v)) for k, v in md.items()}
            self.daemons[(dtype, str(did))] = (host, {k: meta[k] for k in sorted(meta)})

        for fname, dtype, key in (('mon_metadata.json', 'mon', 'name'),
                                  ('mgr_metadata.json', 'mgr', 'name'),
                                  ('mds_metadata.json', 'mds', 'name'),
                                  ('osd_metadata.json', 'osd', 'id')):
            for md in self.load_json(fname, []) or []:
                if key in md:
                    add(dtype, md[key], md)
        smap = json.loads(self.texts.get('service_map', '{}'))
        for stype, svc in (smap.get('services') or {}).items():
            for dname, d in (svc.get('daemons') or {}).items():
                if dname == 'summary' or not isinstance(d, dict):
                    continue
                add(stype, dname, d.get('metadata') or {})
        self.order = sorted(self.daemons)    # DaemonKey order: (type, name) as strings
        by_host = {}
        for key in self.order:
            by_host.setdefault(self.daemons[key][0], []).append(key)
        self.servers = {}
        for host in sorted(by_host):
            self.servers[host] = self._dump_server(host, by_host[host])
        self.servers_text = json.dumps(list(self.servers.values()))

    def _dump_server(self, host, keys):
        services, version = [], ''
        for key in keys:
            meta = self.daemons[key][1]
            if 'ceph_version' in meta:
                version = meta['ceph_version']
            svc = {'type': key[0], 'id': key[1], 'ceph_version': version}
            if meta.get('id'):
                svc['name'] = meta['id']
            services.append(svc)
        return {'hostname': host, 'services': services, 'ceph_version': version}

    def _perf_files(self, name):
        for base in (self.path, self.perf_fallback):
            if not base:
                continue
            s = os.path.join(base, 'perf_schema.%s.json' % name)
            d = os.path.join(base, 'perf_dump.%s.json' % name)
            if os.path.exists(s) and os.path.exists(d):
                return s, d
        return None, None

    def _load_perf(self):
        """Per daemon: the counters its MgrClient declares, in std::map path order."""
        self.schemas = {}     # 'osd.0' -> {path: schema dict as the mgr dumps it}
        self.values = {}      # 'osd.0' -> {path: (v,) or (sum, count)}
        self.perf_sources = {}
        for dtype, did in self.order:
            name = '%s.%s' % (dtype, did)
            sfile, dfile = self._perf_files(name)
            if not sfile:
                continue
            self.perf_sources[name] = os.path.dirname(sfile)
            with open(sfile, 'rb') as fh:
                schema = json.load(fh)
            with open(dfile, 'rb') as fh:
                dump = json.load(fh, parse_float=str)
            declared, vals = {}, {}
            for section, counters in schema.items():
                for cname, c in counters.items():
                    tp = int(c['type'])
                    if tp & PERFCOUNTER_HISTOGRAM:
                        continue
                    if int(c.get('priority', 0)) < STATS_THRESHOLD:
                        continue
                    raw = dump.get(section, {}).get(cname)
                    if raw is None:
                        continue
                    path = section + '.' + cname
                    info = {'description': c.get('description', '')}
                    if c.get('nick'):
                        info['nick'] = c['nick']
                    info['type'] = tp
                    info['priority'] = int(c['priority'])
                    info['units'] = UNITS.get(c.get('units'), c.get('units', 1))
                    declared[path] = info
                    conv = secs_to_ns if tp & PERFCOUNTER_TIME else _as_int
                    if tp & PERFCOUNTER_LONGRUNAVG:
                        vals[path] = (conv(raw.get('sum', 0)), _as_int(raw.get('avgcount', 0)))
                    else:
                        vals[path] = (conv(raw),)
            self.schemas[name] = {p: declared[p] for p in sorted(declared)}
            self.values[name] = vals

    def _load_health_metrics(self):
        if self.has('daemon_health_metrics.json'):
            self.health_metrics_text = _read(self.f('daemon_health_metrics.json'))
            return
        slow = {}
        try:
            health = json.loads(json.loads(self.texts['health'])['json'])
            chk = health.get('checks', {}).get('SLOW_OPS')
        except (KeyError, ValueError):
            chk = None
        if chk:
            msg = chk.get('summary', {}).get('message', '')
            total = msg.split(' ', 1)[0]
            total = int(total) if total.isdigit() else 0
            names = []
            if 'daemons [' in msg:
                names = [n.strip() for n in msg.split('daemons [', 1)[1].split(']', 1)[0].split(',')]
            for i, n in enumerate(names):
                slow[n] = total // len(names) + (1 if i < total % len(names) else 0)
        out = {}
        for host, svcs in self.servers.items():       # with_daemons_by_server order
            for s in svcs['services']:
                name = '%s.%s' % (s['type'], s['id'])
                m = []
                if s['type'] in ('mon', 'osd'):
                    m.append({'type': 'SLOW_OPS', 'value': slow.get(name, 0)})
                if s['type'] == 'osd':
                    m.append({'type': 'PENDING_CREATING_PGS',
                              'value': self.creating_by_primary.get(int(s['id']), 0)})
                out[name] = m
        self.health_metrics_text = json.dumps(out)

    def blocklist_count(self):
        osd_map = json.loads(self.texts.get('osd_map', '{}'))
        return len(osd_map.get('blocklist') or {}) + len(osd_map.get('range_blocklist') or {})

    def rbd_images(self, pool):
        """The image names of rbd_ls.<pool>.json in list order, or None without the file."""
        doc = self.load_json('rbd_ls.%s.json' % pool)
        if doc is None:
            return None
        entries = doc.get('images', []) if isinstance(doc, dict) else doc
        names = []
        for e in entries:
            if isinstance(e, str):
                name = e
            elif e.get('snapshot') is None:
                name = e.get('name', e.get('image'))
            else:
                continue
            if name not in names:
                names.append(name)
        return names

    # -- what the C++ primitives return --------------------------------------------------
    def get(self, what):
        t0 = time.perf_counter()
        text = self.texts.get(what)
        if text is None:
            if what == 'osd_metadata' or what == 'mds_metadata':
                dtype = what.split('_')[0]
                return {k[1]: self.get_metadata(*k) for k in self.order if k[0] == dtype}
            logging.getLogger().error("Python module requested unknown data '%s'", what)
            return None
        obj = json.loads(text)
        self.get_time[what] = self.get_time.get(what, 0.0) + time.perf_counter() - t0
        return obj

    def get_server(self, hostname):
        if hostname is None:
            return json.loads(self.servers_text)
        srv = self.servers.get(hostname)
        return json.loads(json.dumps(srv)) if srv else {'hostname': hostname, 'services': [],
                                                        'ceph_version': ''}

    def get_metadata(self, svc_type, svc_id):
        d = self.daemons.get((svc_type, svc_id))
        if d is None:
            return None
        out = {'hostname': d[0]}
        out.update(d[1])
        return out

    def get_perf_schema(self, svc_type, svc_id):
        if not svc_type:
            keys = self.order
        elif not svc_id:
            keys = [k for k in self.order if k[0] == svc_type]
        else:
            keys = [(svc_type, svc_id)] if (svc_type, svc_id) in self.daemons else []
        out = {}
        for k in keys:
            name = '%s.%s' % k
            out[name] = {p: dict(i) for p, i in self.schemas.get(name, {}).items()}
        return out

    def get_latest_counter(self, svc_type, svc_id, path):
        v = self.values.get('%s.%s' % (svc_type, svc_id), {}).get(path)
        if v is None:
            return {path: []}
        return {path: [self.stamp] + list(v)}

    def get_counter(self, svc_type, svc_id, path):
        v = self.get_latest_counter(svc_type, svc_id, path)[path]
        return {path: [v] if v else []}

    def get_daemon_health_metrics(self):
        return json.loads(self.health_metrics_text)

    def version(self):
        for key in self.order:
            if key[0] == 'mgr' and 'ceph_version' in self.daemons[key][1]:
                return self.daemons[key][1]['ceph_version']
        return 'ceph version 16.2.15 (618f440892089921c3e944a991122ddc44e60516) pacific (stable)'

    def release_name(self):
        # "ceph version 20.2.4 (hash) tentacle (stable - RelWithDebInfo)": the word after the
        # hash (20.2.4's suffix after "stable" defeats taking the second-to-last word)
        parts = self.version().split()
        return parts[4] if len(parts) >= 5 else 'pacific'


RELEASES = {12: 'luminous', 13: 'mimic', 14: 'nautilus', 15: 'octopus', 16: 'pacific',
            17: 'quincy', 18: 'reef', 19: 'squid', 20: 'tentacle'}


def make_ceph_module():
    """The stand-in for ceph-mgr's C++ extension module `ceph_module`."""
    mod = types.ModuleType('ceph_module')

    class BaseMgrModule(object):
        def __init__(self, py_modules_ptr, this_ptr):
            self._cluster = py_modules_ptr
            self._log_file = this_ptr

        def _ceph_get(self, what):
            return self._cluster.get(what)

        def _ceph_get_server(self, hostname):
            return self._cluster.get_server(hostname)

        def _ceph_get_metadata(self, svc_type, svc_id):
            return self._cluster.get_metadata(svc_type, svc_id)

        def _ceph_get_daemon_status(self, svc_type, svc_id):
            return {} if (svc_type, svc_id) in self._cluster.daemons else None

        def _ceph_get_perf_schema(self, svc_type, svc_id):
            return self._cluster.get_perf_schema(svc_type, svc_id)

        def _ceph_get_latest_counter(self, svc_type, svc_id, path):
            return self._cluster.get_latest_counter(svc_type, svc_id, path)

        def _ceph_get_unlabeled_perf_schema(self, svc_type, svc_id):
            return self._cluster.get_perf_schema(svc_type, svc_id)

        def _ceph_get_latest_unlabeled_counter(self, svc_type, svc_id, path):
            return self._cluster.get_latest_counter(svc_type, svc_id, path)

        def _ceph_get_unlabeled_counter(self, svc_type, svc_id, path):
            return self._cluster.get_counter(svc_type, svc_id, path)

        def _ceph_get_counter(self, svc_type, svc_id, path):
            return self._cluster.get_counter(svc_type, svc_id, path)

        def _ceph_get_daemon_health_metrics(self):
            return self._cluster.get_daemon_health_metrics()

        def _ceph_get_option(self, key):
            return {'debug_mgr': DEBUG_MGR, 'log_file': '/dev/null',
                    'mgr_stats_threshold': STATS_THRESHOLD}.get(key)

        def _ceph_get_foreign_option(self, entity, key):
            return None

        def _ceph_get_module_option(self, module, key, prefix=''):
            if module == 'prometheus':
                return MODULE_OPTIONS.get(key)   # None -> MODULE_OPTION_DEFAULTS
            return None

        def _ceph_set_module_option(self, module, key, val):
            pass

        def _ceph_get_store(self, key):
            return self._cluster.store.get(key)

        def _ceph_set_store(self, key, val):
            if val is None:
                self._cluster.store.pop(key, None)
            else:
                self._cluster.store[key] = val

        def _ceph_get_store_prefix(self, prefix):
            return {k: v for k, v in self._cluster.store.items() if k.startswith(prefix)}

        def _ceph_log(self, msg):
            if self._log_file:
                self._log_file.write(msg + '\n')

        def _ceph_cluster_log(self, channel, priority, message):
            pass

        def _ceph_get_version(self):
            return self._cluster.version()

        def _ceph_get_release_name(self):
            return self._cluster.release_name()

        def _ceph_lookup_release_name(self, major):
            return RELEASES.get(int(major), 'unknown')

        def _ceph_get_mgr_id(self):
            return self._cluster.mgr_map.get('active_name', 'x')

        def _ceph_get_ceph_conf_path(self):
            return '/etc/ceph/ceph.conf'

        def _ceph_have_mon_connection(self):
            return True

        def _ceph_get_context(self):
            return None

        def _ceph_set_uri(self, uri):
            pass

        def _ceph_set_health_checks(self, checks):
            pass

        def _ceph_set_device_wear_level(self, devid, wear_level):
            pass

        def _ceph_update_progress_event(self, evid, desc, progress, add_to_ceph_s):
            pass

        def _ceph_complete_progress_event(self, evid):
            pass

        def _ceph_clear_all_progress_events(self):
            pass

        def _ceph_add_osd_perf_query(self, query):
            return None                      # no OSDs to run an RBD perf query on

        def _ceph_remove_osd_perf_query(self, query_id):
            pass

        def _ceph_get_osd_perf_counters(self, query_id):
            return {'counters': []}

        def _ceph_add_mds_perf_query(self, query):
            return None

        def _ceph_remove_mds_perf_query(self, query_id):
            pass

        def _ceph_reregister_mds_perf_queries(self):
            pass

        def _ceph_get_mds_perf_counters(self, query_id):
            return {'counters': []}

        def _ceph_is_authorized(self, arguments):
            return True

        def _ceph_register_client(self, addrs):
            pass

        def _ceph_unregister_client(self, addrs):
            pass

        def _ceph_send_command(self, result, svc_type, svc_id, command, tag, inbuf,
                               one_shot=False):
            cmd = json.loads(command)
            if svc_type == 'mon' and cmd.get('prefix') == 'osd blocklist ls':
                n = self._cluster.blocklist_count()
                result.complete(0, '[]', 'listed %d entries' % n)
                return
            raise NotImplementedError('mgr_harness: no cluster to send %r to' % cmd.get('prefix'))

        def _ceph_dispatch_remote(self, *args, **kwargs):
            raise NotImplementedError('mgr_harness: no other modules')

        def _ceph_get_osdmap(self):
            import mgr_module
            return mgr_module.OSDMap(self._cluster)

    class BaseMgrStandbyModule(object):
        def __init__(self, capsule):
            self._cluster = capsule

        def _ceph_get_mgr_id(self):
            return 'x'

        def _ceph_get_module_option(self, key, prefix=''):
            return None

        def _ceph_get_option(self, key):
            return {'debug_mgr': DEBUG_MGR, 'log_file': '/dev/null'}.get(key)

        def _ceph_get_store(self, key):
            return None

        def _ceph_get_active_uri(self):
            return ''

        def _ceph_get(self, what):
            return self._cluster.get(what) if self._cluster else None

        def _ceph_log(self, msg):
            pass

    class BasePyOSDMap(object):
        def __init__(self, cluster=None):
            self._c = cluster

        def _dump(self):
            return self._c.get('osd_map')

        def _get_epoch(self):
            return self._dump()['epoch']

        def _get_crush_version(self):
            return self._dump().get('crush_version', 0)

        def _get_crush(self):
            import mgr_module
            return mgr_module.CRUSHMap(self._c)

    class BasePyOSDMapIncremental(object):
        def __init__(self, *args):
            pass

    class BasePyCRUSH(object):
        def __init__(self, cluster=None):
            self._c = cluster

        def _dump(self):
            return self._c.get('osd_map_crush')

    mod.BaseMgrModule = BaseMgrModule
    mod.BaseMgrStandbyModule = BaseMgrStandbyModule
    mod.BasePyOSDMap = BasePyOSDMap
    mod.BasePyOSDMapIncremental = BasePyOSDMapIncremental
    mod.BasePyCRUSH = BasePyCRUSH
    return mod


MODULE_OPTIONS = {}


class FakeIoctx(object):
    """What `self.rados.open_ioctx(pool)` gives the module: the pool's name."""

    def __init__(self, pool):
        self.pool = pool

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class FakeRados(object):
    def open_ioctx(self, pool):
        return FakeIoctx(pool)


def fake_rbd(cluster):
    """librbd's RBD class, answering list2() from rbd_ls.<pool>.json."""
    class RBD(object):
        def list2(self, ioctx):
            names = cluster.rbd_images(ioctx.pool)
            if names is None:
                raise IOError('mgr_harness: no rbd_ls.%s.json' % ioctx.pool)
            return [{'name': n, 'id': '', 'state': 0} for n in names]
    return RBD


def option_value(text):
    low = text.lower()
    if low in ('true', 'false'):
        return low == 'true'
    try:
        return int(text)
    except ValueError:
        return text


def import_prometheus(mgr_dir):
    sys.modules['ceph_module'] = make_ceph_module()
    if mgr_dir not in sys.path:
        sys.path.insert(0, mgr_dir)
    try:
        import rados  # noqa: F401  (Debian python3-rados; needed by mgr_module)
    except ImportError:
        sys.path.append('/usr/lib/python3/dist-packages')
    saved_exit = os._exit
    import prometheus                 # noqa: E402  the real package, unchanged
    os._exit = saved_exit             # module.py replaces os._exit with a no-op for cherrypy
    return prometheus


def new_module(prometheus, cluster, log_file):
    Module = prometheus.Module
    # what PyModule::load does before instantiating a module class
    Module._register_options('prometheus')
    Module._register_commands('prometheus')
    mod = Module('prometheus', cluster, log_file)
    if hasattr(prometheus.module, 'RBD'):
        # 20.2.4: RBD image metadata through librbd and the module's librados handle
        prometheus.module.RBD = fake_rbd(cluster)
        mod._rados = FakeRados()
    return mod


def count_samples(text):
    return sum(1 for line in text.splitlines() if line and not line.startswith('#'))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('dumpdir')
    ap.add_argument('--repeat', type=int, default=None,
                    help='run collect() N times; print the median seconds to stderr as JSON')
    ap.add_argument('--perf-fallback', metavar='DIR',
                    help='take perf_schema/perf_dump of daemons missing in DUMPDIR from DIR '
                         '(the mgr keeps a down daemon\'s last report)')
    ap.add_argument('--mgr-dir', default=os.environ.get('CEPH_MGR_DIR', '/usr/share/ceph/mgr'))
    ap.add_argument('--log', metavar='FILE', help='write the module\'s log records to FILE')
    ap.add_argument('-o', '--output', metavar='FILE', help='write the exposition to FILE')
    ap.add_argument('--option', action='append', default=[], metavar='KEY=VALUE',
                    help='a prometheus module option (e.g. exclude_perf_counters=false)')
    args = ap.parse_args(argv)
    for kv in args.option:
        k, _, v = kv.partition('=')
        MODULE_OPTIONS[k] = option_value(v)

    log_file = open(args.log, 'w') if args.log else None
    t0 = time.perf_counter()
    cluster = DumpCluster(args.dumpdir, args.perf_fallback)
    load_s = time.perf_counter() - t0
    prometheus = import_prometheus(args.mgr_dir)
    mod = new_module(prometheus, cluster, log_file)

    runs, text = [], ''
    methods, gets = {}, {}
    for _ in range(max(1, args.repeat or 1)):
        cluster.get_time.clear()
        t = time.perf_counter()
        text = mod.collect()
        runs.append(time.perf_counter() - t)
        for name, d in cluster.get_time.items():
            gets.setdefault(name, []).append(d)
        for name, fn in list(type(mod).__dict__.items()) + [
                ('get_all_perf_counters', type(mod).__mro__[1].__dict__.get('get_all_perf_counters'))]:
            d = getattr(fn, '_execution_duration', None)
            if d is not None:
                methods.setdefault(name, []).append(d)
    if args.output:
        with open(args.output, 'w') as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    if args.repeat is not None:
        report = {
            'collect_s': statistics.median(runs),
            'samples': count_samples(text),
            'runs': [round(r, 6) for r in runs],
            'load_s': round(load_s, 3),
            'methods': {k: round(statistics.median(v), 6) for k, v in methods.items()},
            'get_decode_s': {k: round(statistics.median(v), 6) for k, v in sorted(gets.items())},
        }
        sys.stderr.write(json.dumps(report) + '\n')
    if log_file:
        log_file.close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
