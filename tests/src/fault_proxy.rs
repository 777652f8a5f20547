//! A loopback TCP proxy that injects network faults between a device and the district server.
//!
//! Each new connection draws one fault from the plan; the fault hits that connection's first response,
//! so it lands on a real request. Faults: drop before the request reaches the server, drop after the
//! server answered (so it has committed) but before the client sees it, TCP reset, delay, truncated
//! response, stall, and a request cut off mid-body. The proxy listens on 127.0.0.1 only and stops when dropped.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// What happens to one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Pass everything through.
    None,
    /// Close the client connection before anything reaches the server.
    DropBeforeRequest,
    /// Forward the request; when the server starts answering (it has committed), close the client
    /// connection without passing the answer on.
    DropAfterCommit,
    /// Reset the client connection (RST) before anything reaches the server.
    Reset,
    /// Wait, then pass through.
    Delay(Duration),
    /// Pass on only part of the server's first answer, then close.
    TruncateResponse,
    /// Forward the request, then hold the connection without answering, then close.
    Stall(Duration),
    /// Forward only the first half of the client's first read (a request cut mid-body), then close.
    TruncateRequest,
    /// Refuse service entirely (the network is "off"): close at once, like DropBeforeRequest.
    Offline,
}

/// How faults are chosen for new connections.
#[derive(Debug, Clone)]
pub enum Plan {
    Always(Fault),
    /// Each connection draws from `faults` at random (seeded), or passes with probability `pass`.
    Random {
        faults: Vec<Fault>,
        pass: f64,
        seed: u64,
    },
}

#[derive(Debug, Default)]
pub struct ProxyStats {
    pub connections: AtomicU64,
    pub faults: AtomicU64,
    /// Connections cut by `cut_all` (flaps).
    pub cuts: AtomicU64,
}

pub struct FaultProxy {
    addr: SocketAddr,
    plan: Arc<Mutex<Plan>>,
    live: Arc<Mutex<Vec<tokio::task::AbortHandle>>>,
    stats: Arc<ProxyStats>,
    accept: JoinHandle<()>,
}

impl std::fmt::Debug for FaultProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaultProxy")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl FaultProxy {
    /// Start a proxy on 127.0.0.1 (random port) in front of `upstream` (must be a loopback address).
    pub async fn start(upstream: SocketAddr, plan: Plan) -> std::io::Result<Self> {
        assert!(
            upstream.ip().is_loopback(),
            "fault tests only target loopback"
        );
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let plan = Arc::new(Mutex::new(plan));
        let stats = Arc::new(ProxyStats::default());
        let live = Arc::new(Mutex::new(Vec::<tokio::task::AbortHandle>::new()));
        let (p, s, l) = (plan.clone(), stats.clone(), live.clone());
        let accept = tokio::spawn(async move {
            let mut rng = 0x2545_F491_4F6C_DD1D_u64;
            while let Ok((client, _)) = listener.accept().await {
                s.connections.fetch_add(1, Ordering::Relaxed);
                let fault = match p.lock() {
                    Ok(plan) => draw(&plan, &mut rng),
                    Err(_) => Fault::None,
                };
                if fault != Fault::None {
                    s.faults.fetch_add(1, Ordering::Relaxed);
                }
                let task = tokio::spawn(handle(client, upstream, fault));
                if let Ok(mut live) = l.lock() {
                    live.retain(|h| !h.is_finished());
                    live.push(task.abort_handle());
                }
            }
        });
        Ok(Self {
            addr,
            plan,
            live,
            stats,
            accept,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Change the plan and cut every open connection, so pooled keep-alive connections cannot dodge it.
    pub fn set_plan(&self, plan: Plan) {
        if let Ok(mut p) = self.plan.lock() {
            *p = plan;
        }
        self.cut_all();
    }

    /// Cut every open connection now (the network flaps), mid-request or idle.
    pub fn cut_all(&self) {
        if let Ok(mut live) = self.live.lock() {
            self.stats
                .cuts
                .fetch_add(live.len() as u64, Ordering::Relaxed);
            for h in live.drain(..) {
                h.abort();
            }
        }
    }

    pub fn stats(&self) -> &ProxyStats {
        &self.stats
    }

    /// The network flaps: every `period` every open connection is cut, whatever it is doing,
    /// until the returned task is aborted.
    pub fn flap_every(self: &Arc<Self>, period: Duration) -> JoinHandle<()> {
        let proxy = Arc::clone(self);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(period).await;
                proxy.cut_all();
            }
        })
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.accept.abort();
        if let Ok(mut live) = self.live.lock() {
            for h in live.drain(..) {
                h.abort();
            }
        }
    }
}

fn draw(plan: &Plan, rng: &mut u64) -> Fault {
    match plan {
        Plan::Always(f) => *f,
        Plan::Random { faults, pass, seed } => {
            *rng ^= seed.rotate_left(17) | 1;
            *rng ^= *rng << 13;
            *rng ^= *rng >> 7;
            *rng ^= *rng << 17;
            let x = (*rng % 10_000) as f64 / 10_000.0;
            if x < *pass || faults.is_empty() {
                Fault::None
            } else {
                faults[(*rng / 10_000) as usize % faults.len()]
            }
        }
    }
}

async fn handle(mut client: TcpStream, upstream: SocketAddr, fault: Fault) {
    match fault {
        Fault::DropBeforeRequest | Fault::Offline => {
            drop(client);
            return;
        }
        Fault::Reset => {
            let _ = client.set_zero_linger();
            drop(client);
            return;
        }
        Fault::Delay(d) => tokio::time::sleep(d).await,
        _ => {}
    }
    let Ok(mut server) = TcpStream::connect(upstream).await else {
        return;
    };
    let (mut cr, mut cw) = client.split();
    let (mut sr, mut sw) = server.split();
    let up = async {
        if fault == Fault::TruncateRequest {
            let mut buf = vec![0u8; 64 * 1024];
            if let Ok(n) = cr.read(&mut buf).await {
                let _ = sw.write_all(&buf[..n / 2]).await;
            }
            // Hold the server side open a moment, as a dying link would, then close both.
            tokio::time::sleep(Duration::from_millis(50)).await;
            return;
        }
        let _ = tokio::io::copy(&mut cr, &mut sw).await;
        let _ = sw.shutdown().await;
    };
    let down = async {
        let mut buf = vec![0u8; 64 * 1024];
        let mut first = true;
        loop {
            let n = match sr.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if first {
                first = false;
                match fault {
                    Fault::DropAfterCommit => return,
                    Fault::TruncateResponse => {
                        let _ = cw.write_all(&buf[..n / 2]).await;
                        return;
                    }
                    Fault::Stall(d) => {
                        tokio::time::sleep(d).await;
                        return;
                    }
                    _ => {}
                }
            }
            if cw.write_all(&buf[..n]).await.is_err() {
                break;
            }
        }
        let _ = cw.shutdown().await;
    };
    // Whichever direction ends first (a fault returns from `down`, or the client hangs up) closes both.
    tokio::select! {
        _ = up => {}
        _ = down => {}
    }
}
