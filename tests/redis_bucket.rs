//! The Redis store's Lua bucket (src/authz/redis_bucket.lua) against the Rust
//! memory store: random sequences of requests on a few keys (capacity rps,
//! refill rps per second, one request per call: the Tinybird rule of
//! https://www.tinybird.co/docs/forward/administration/tokens/jwt, "Rate
//! limits for JWTs"), at random instants, some stepping backwards, and with
//! the rps of a key changing between requests (tokens minted later under one
//! name may carry another rps; that page says nothing of what then applies,
//! so both stores follow one rule: the time since the last request refills at
//! the old rate, a refilled bucket is a new one, the new rate applies from
//! then on), run on a real redis-server and in `MemoryRateLimitStore`: the
//! same grants, the same tokens left and the same waits, to the last bit.

use std::cell::{Cell, RefCell};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use scopemint::{
    MemoryRateLimitStore, RateLimitStore, REDIS_BUCKET_RULE, REDIS_BUCKET_SCRIPT, REDIS_BUCKET_SHA1,
};

/// A throwaway redis-server on a free loopback port, no persistence, stopped
/// by its PID when dropped (also when a test panics).
struct RedisServer {
    child: Child,
    port: u16,
}

impl RedisServer {
    fn start() -> RedisServer {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server (scripts/setup.sh installs it)");
        let server = RedisServer { child, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        while server.connect().is_none() {
            assert!(
                Instant::now() < deadline,
                "redis-server did not answer on port {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    /// A connection that has answered PING.
    fn connect(&self) -> Option<Redis> {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .ok()?;
        let mut redis = Redis {
            reader: BufReader::new(stream.try_clone().ok()?),
            writer: stream,
        };
        matches!(redis.command(&["PING"]), Reply::Simple(pong) if pong == "PONG").then_some(redis)
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        // Child::kill signals this child's PID only.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug, PartialEq)]
enum Reply {
    Simple(String),
    Error(String),
    Integer(i64),
    Bulk(Option<Vec<u8>>),
    Array(Vec<Reply>),
}

/// Just enough RESP2 for EVAL and SCRIPT LOAD.
struct Redis {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Redis {
    fn command(&mut self, args: &[&str]) -> Reply {
        let mut request = format!("*{}\r\n", args.len());
        for arg in args {
            request.push_str(&format!("${}\r\n{arg}\r\n", arg.len()));
        }
        self.writer
            .write_all(request.as_bytes())
            .expect("write to redis");
        self.reply()
    }

    fn reply(&mut self) -> Reply {
        let mut line = String::new();
        self.reader.read_line(&mut line).expect("read from redis");
        let line = line.trim_end_matches("\r\n");
        let (kind, rest) = line.split_at(1);
        let number = || rest.parse::<i64>().expect("a RESP length");
        match kind {
            "+" => Reply::Simple(rest.to_string()),
            "-" => Reply::Error(rest.to_string()),
            ":" => Reply::Integer(number()),
            "$" if number() < 0 => Reply::Bulk(None),
            "$" => {
                let mut bytes = vec![0; number() as usize + 2];
                self.reader.read_exact(&mut bytes).expect("a bulk string");
                bytes.truncate(bytes.len() - 2);
                Reply::Bulk(Some(bytes))
            }
            "*" => Reply::Array((0..number()).map(|_| self.reply()).collect()),
            _ => panic!("not RESP: {line:?}"),
        }
    }
}

/// The rule with the instant passed in (ARGV[2]) instead of Redis's clock, so
/// both stores see the same times.
fn script_at_given_time() -> String {
    format!("{REDIS_BUCKET_RULE}return take(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]))\n")
}

/// The Lua answer as the memory store gives it: `Ok(level)` or `Err(wait)`.
fn lua_take(redis: &mut Redis, script: &str, key: &str, rps: u64, now: f64) -> Result<f64, f64> {
    // `{:?}` prints the shortest text that reads back as the same double.
    let reply = redis.command(&[
        "EVAL",
        script,
        "1",
        key,
        &rps.to_string(),
        &format!("{now:?}"),
    ]);
    let Reply::Array(parts) = &reply else {
        panic!("the script answered {reply:?}");
    };
    let number = |part: &Reply| match part {
        Reply::Bulk(Some(text)) => std::str::from_utf8(text).unwrap().parse::<f64>().unwrap(),
        other => panic!("not a number: {other:?}"),
    };
    match parts.as_slice() {
        [Reply::Integer(1), level, _] => Ok(number(level)),
        [Reply::Integer(0), _, wait] => Err(number(wait)),
        _ => panic!("the script answered {reply:?}"),
    }
}

/// One request: which key, how far the clock moves first (may be negative),
/// and whether it carries the key's other rps.
type Step = (usize, f64, bool);

fn step() -> impl Strategy<Value = Step> {
    let clock_move = prop_oneof![
        Just(0.0),
        0.0..1e-6,
        0.0..0.2,
        0.0..3.0,
        -2.0..0.0,
        // Exact fractions of a second, where the slack decides.
        (1u32..8).prop_map(|n| 1.0 / f64::from(n)),
    ];
    // Mostly the usual rps, so buckets also drain and refill at one rate.
    let other_rps = prop_oneof![3 => Just(false), 1 => Just(true)];
    (0usize..3, clock_move, other_rps)
}

/// Two rps per key: the usual one and the one some requests carry instead.
fn case() -> impl Strategy<Value = ([[u64; 2]; 3], f64, Vec<Step>)> {
    let rps = prop_oneof![Just(1u64), 1u64..12, Just(1_000), Just(1_000_000_000)];
    let pair = [rps.clone(), rps];
    (
        [pair.clone(), pair.clone(), pair],
        1.6e9..2.0e9,
        proptest::collection::vec(step(), 1..60),
    )
}

#[test]
fn the_lua_bucket_answers_as_the_memory_store_does() {
    let server = RedisServer::start();
    let mut redis = server.connect().expect("a connection");
    // Redis's own SHA-1 of the script the package runs is the one EVALSHA uses.
    assert_eq!(
        redis.command(&["SCRIPT", "LOAD", REDIS_BUCKET_SCRIPT]),
        Reply::Bulk(Some(REDIS_BUCKET_SHA1.as_bytes().to_vec()))
    );
    let script = script_at_given_time();
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(300);
    let mut runner = TestRunner::new(Config {
        cases,
        ..Config::default()
    });
    // `run` takes a `Fn`: the connection and the counters live in cells.
    let redis = RefCell::new(redis);
    let (case_number, granted, refused) = (Cell::new(0u64), Cell::new(0usize), Cell::new(0usize));
    let rps_changes = Cell::new(0usize);
    let result = runner.run(&case(), |(rates, start, steps)| {
        case_number.set(case_number.get() + 1);
        let case_number = case_number.get();
        let memory = MemoryRateLimitStore::default();
        let mut now = start;
        let mut last_rps: [Option<u64>; 3] = [None; 3];
        for (index, &(key, clock_move, other_rps)) in steps.iter().enumerate() {
            now += clock_move;
            let name = format!("case{case_number}:{key}");
            let rps = rates[key][usize::from(other_rps)];
            if last_rps[key].is_some_and(|last| last != rps) {
                rps_changes.set(rps_changes.get() + 1);
            }
            last_rps[key] = Some(rps);
            let rust = memory.try_acquire(&name, rps, now);
            let lua = lua_take(&mut redis.borrow_mut(), &script, &name, rps, now);
            let outcome = if rust.is_ok() { &granted } else { &refused };
            outcome.set(outcome.get() + 1);
            let same = match (rust, lua) {
                (Ok(a), Ok(b)) | (Err(a), Err(b)) => a.to_bits() == b.to_bits(),
                _ => false,
            };
            if !same {
                return Err(TestCaseError::fail(format!(
                    "step {index} (key {key}, rps {rps}, now {now:?}): memory {rust:?}, Redis {lua:?}"
                )));
            }
        }
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
    // Both outcomes occurred, and rates changed, so the comparison covered
    // grants, refusals and requests under a new rps.
    let (granted, refused) = (granted.get(), refused.get());
    assert!(
        granted > 100 && refused > 100,
        "{granted} granted, {refused} refused"
    );
    assert!(rps_changes.get() > 100, "{} rps changes", rps_changes.get());
}
