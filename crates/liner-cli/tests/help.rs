//! The help of every command, as users read it. The update flags come from
//! the patch type: a field added to the spec shows up in this snapshot after
//! `cargo xtask generate`, with no hand edit.

mod support;

#[test]
fn every_command_s_help() {
    let commands: [&[&str]; 11] = [
        &[],
        &["leads"],
        &["leads", "export"],
        &["leads", "import"],
        &["lead"],
        &["lead", "get"],
        &["lead", "update"],
        &["call"],
        &["call", "get"],
        &["demo"],
        &["completions"],
    ];
    for args in commands {
        let output = support::liner()
            .args(args)
            .arg("--help")
            .env("COLUMNS", "100")
            .output()
            .unwrap();
        assert!(output.status.success(), "{args:?}");
        let name = if args.is_empty() {
            "liner".to_owned()
        } else {
            format!("liner {}", args.join(" "))
        };
        insta::assert_snapshot!(
            name.replace(' ', "_"),
            String::from_utf8(output.stdout).unwrap()
        );
    }
}
