//! Integration tests of the `exporter` crate: the admin-socket client and the per-host
//! collector against stand-in daemons serving the captured dumps and broken replies.

mod lib {
    pub(crate) mod asok;
}
