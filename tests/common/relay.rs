//! A TCP relay in front of the testbed's sshd that a test can stall, and servers reached
//! through relays of their own.

use super::Ctx;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// A TCP relay in front of the testbed's sshd that can be made to stall: while stalled it
/// accepts connections (counted) and never answers, and the connections it was relaying are
/// cut, so an ssh master through it dies as on a link that went silent.
pub struct Relay {
    pub port: u16,
    stalled: Arc<AtomicBool>,
    /// When each connection arrived while stalled.
    stalled_accepts: Arc<Mutex<Vec<Instant>>>,
    relayed: Arc<Mutex<Vec<TcpStream>>>,
}

impl Relay {
    pub fn start(target: u16) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the relay");
        let relay = Relay {
            port: listener.local_addr().expect("relay address").port(),
            stalled: Arc::default(),
            stalled_accepts: Arc::default(),
            relayed: Arc::default(),
        };
        let (stalled, accepts, relayed) = (
            relay.stalled.clone(),
            relay.stalled_accepts.clone(),
            relay.relayed.clone(),
        );
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for client in listener.incoming().flatten() {
                if stalled.load(Ordering::SeqCst) {
                    accepts.lock().unwrap().push(Instant::now());
                    held.push(client);
                    continue;
                }
                let Ok(server) = TcpStream::connect(("127.0.0.1", target)) else {
                    continue;
                };
                let mut live = relayed.lock().unwrap();
                for (mut from, mut to) in [
                    (client.try_clone().unwrap(), server.try_clone().unwrap()),
                    (server.try_clone().unwrap(), client.try_clone().unwrap()),
                ] {
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(Shutdown::Both);
                    });
                }
                live.extend([client, server]);
            }
        });
        relay
    }

    pub fn stall(&self) {
        self.stalled.store(true, Ordering::SeqCst);
        for stream in self.relayed.lock().unwrap().drain(..) {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }

    pub fn resume(&self) {
        self.stalled.store(false, Ordering::SeqCst);
    }

    pub fn stalled_accepts(&self) -> Vec<Instant> {
        self.stalled_accepts.lock().unwrap().clone()
    }
}

/// `n` servers on daemon A, each reached through a relay of its own (named `relayed0`, … after
/// their ssh aliases), with a 2 s connect timeout.
pub fn relayed_servers(ctx: &mut Ctx, n: usize) -> Vec<(String, Relay)> {
    let tb = ctx.tb.expect("testbed");
    let sshd_port = tb.get("DESTUI_TB_SSH_PORT").parse().expect("a port");
    let mut config = String::new();
    let mut servers = Vec::new();
    for i in 0..n {
        let relay = Relay::start(sshd_port);
        let alias = format!("relayed{i}");
        let file = super::write_ssh_config(ctx, &alias, relay.port, None);
        config.push_str(&std::fs::read_to_string(file).expect("ssh config"));
        servers.push((alias, relay));
    }
    let file = ctx.dir.path().join("ssh_config_relays");
    std::fs::write(&file, config).expect("write the ssh config");
    ctx.extra_env
        .push(("DESTUI_SSH_CONFIG".into(), super::path_str(&file)));
    ctx.extra_env
        .push(("DESTUI_CONNECT_TIMEOUT".into(), "2".into()));
    for (alias, _) in &servers {
        ctx.add_server_named(alias, alias, tb.socket_a());
    }
    servers
}
