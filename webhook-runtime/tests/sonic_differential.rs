//! Feature `sonic-rs`: the decoders with a one pass (structured, batch, Event Grid notification)
//! give the same answer whether their one pass is parsed by `sonic-rs` or by `serde_json`, on
//! valid deliveries and on hostile bodies made from them. (The fuzz target `sonic_differential`
//! runs the same check on arbitrary bodies.)
#![cfg(feature = "sonic-rs")]

use webhook_runtime::__private::{Agreement, sonic_agrees};

const HEAD: &str = r#""specversion":"1.0","id":"1","source":"/s","type":"t""#;
const DATA: &str =
    r#"{"order_id":"o-1","amount":12.5,"customer":"c","quantity":3,"note":"n","tags":["a","b"]}"#;
const GRID: &str = r#""id":"1","topic":"/t","subject":"s","eventType":"Shop.Order","eventTime":"2024-05-01T12:00:00Z","dataVersion":"1""#;

/// Valid structured events, batches and Event Grid notifications, in several shapes.
fn valid_bodies() -> Vec<String> {
    let deep = |levels: usize| format!("{}1{}", "[".repeat(levels), "]".repeat(levels));
    let data = [
        DATA.to_owned(),
        r#"{"amount":1e2,"order_id":"p\u00e9\n","extra":{"x":[1,{"y":null}]}}"#.to_owned(),
        "null".to_owned(),
        r#""plain \"text\"""#.to_owned(),
        "-0.0".to_owned(),
        "123456789012345678901234567890".to_owned(),
        "[1.7976931348623157e308,5e-324,0.1,-9223372036854775808]".to_owned(),
        deep(12),
        deep(20),
        deep(127),
        deep(130),
    ];
    let mut bodies = Vec::new();
    for d in &data {
        let structured = [
            format!(r#"{{{HEAD},"data":{d}}}"#),
            format!(r#"{{"data":{d},{HEAD},"datacontenttype":"application/json"}}"#),
            format!(
                r#"{{{HEAD},"time":"2024-05-01T12:00:00Z","subject":"x","ext":"v","num":7,"flag":true,"data":{d}}}"#
            ),
        ];
        bodies.push(format!("[{}]", structured.join(",")));
        bodies.extend(structured);
        let grid = format!(r#"{{{GRID},"data":{d}}}"#);
        bodies.push(format!("[{grid},{grid}]"));
    }
    bodies.extend([
        "[]".to_owned(),
        format!(r#"{{{HEAD},"data_base64":"e30="}}"#),
        format!(r#"{{{HEAD},"datacontenttype":"text/plain","data":"hi"}}"#),
        format!(r#"{{{HEAD}}}"#),
    ]);
    bodies
}

/// What may break a body: JSON that `serde_json` refuses, numbers and strings the parsers could
/// read differently, duplicate members, deep nesting, wrong types.
const FRAGMENTS: &[&str] = &[
    r#""\ud800""#,
    r#""\udc00\ud800""#,
    r#""\ud83d\ude00""#,
    "\"\u{ff}\"",
    "\"tab\there\"",
    "\"nul\u{0}\"",
    "1e400",
    "-1e400",
    "-0",
    "18446744073709551616",
    "-9223372036854775809",
    "2147483648",
    "01",
    "1.",
    ".5",
    "+1",
    "NaN",
    "[1,]",
    "{\"a\":1,}",
    "'a'",
    "/* c */",
    "\u{feff}",
    r#""\x""#,
    r#""\u12""#,
    "tru",
    "nul",
    ",",
    ":",
    "\"",
    "\\",
    "}",
    "]",
    "{",
    "[",
    r#","data":1"#,
    r#","id":"2""#,
    r#","specversion":"0.3""#,
    r#","ext":-0"#,
    r#","ext":1.5"#,
    r#","ext":2147483648"#,
    r#","Ext":"x""#,
    r#","eventType":"Microsoft.EventGrid.SubscriptionValidationEvent""#,
    r#","type":"Microsoft.EventGrid.SubscriptionValidationEvent""#,
    r#","datacontenttype":"text/plain""#,
    r#","data_base64":"e30""#,
];

fn check(body: &[u8], total: &mut Agreement) {
    match sonic_agrees(body) {
        Ok(agreement) => {
            total.accepted += agreement.accepted;
            total.rejected += agreement.rejected;
        }
        Err(difference) => panic!("{difference}"),
    }
}

#[test]
fn sonic_rs_and_serde_json_one_passes_give_the_same_answers() {
    // A larger stack: `serde_json` decodes data nested up to 128 levels in a debug build.
    std::thread::Builder::new()
        .stack_size(32 * 1024 * 1024)
        .spawn(|| {
            let mut valid = Agreement::default();
            for body in valid_bodies() {
                check(body.as_bytes(), &mut valid);
            }
            // Every valid body is taken by some decoder and data type, and refused by others.
            assert!(valid.accepted >= 150, "{valid:?}");
            assert!(valid.rejected >= 150, "{valid:?}");

            // Each fragment put into every valid body at pseudo-random places, replacing a few
            // bytes or inserted.
            let mut state = 0x2545_f491_4f6c_dd1d_u64;
            let mut next = move |below: usize| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state % below as u64) as usize
            };
            let mut hostile = Agreement::default();
            let mut bodies = 0;
            for body in valid_bodies() {
                let body = body.into_bytes();
                for fragment in FRAGMENTS {
                    for _ in 0..3 {
                        let at = next(body.len() + 1);
                        let cut = (at + next(4)).min(body.len());
                        let mut changed = body[..at].to_vec();
                        changed.extend_from_slice(fragment.as_bytes());
                        changed.extend_from_slice(&body[cut..]);
                        check(&changed, &mut hostile);
                        bodies += 1;
                    }
                }
            }
            assert!(bodies > 5000, "{bodies}");
            assert!(hostile.accepted > 0 && hostile.rejected > 0, "{hostile:?}");

            // Found by the fuzz target: invalid UTF-8 in a member of data that is ignored.
            check(
                &[
                    format!(r#"{{{HEAD},"data":{{"order_id":"o","amount":1,"#).as_bytes(),
                    b"\"\xa1x\":1}}",
                ]
                .concat(),
                &mut hostile,
            );

            // Invalid UTF-8 inside strings and outside them.
            for bytes in [
                &b"\xff"[..],
                b"\xc0\xaf",
                b"\xed\xa0\x80",
                b"\xf4\x90\x80\x80",
            ] {
                for body in valid_bodies() {
                    let at = body.find("\"1\"").map_or(0, |i| i + 1);
                    let mut changed = body.as_bytes()[..at].to_vec();
                    changed.extend_from_slice(bytes);
                    changed.extend_from_slice(&body.as_bytes()[at..]);
                    check(&changed, &mut hostile);
                }
            }
        })
        .unwrap()
        .join()
        .unwrap();
}
