use super::*;

#[test]
fn the_command_is_well_formed() {
    command().debug_assert();
}

#[test]
fn update_flags_come_from_the_patch_type() {
    let cli = from_matches(
        command()
            .try_get_matches_from([
                "liner",
                "lead",
                "update",
                "7",
                "--status-id",
                "12",
                "--name",
                "Ada",
            ])
            .unwrap(),
    );
    let Command::Lead(LeadCommand::Update(update)) = cli.command else {
        panic!("{cli:?}");
    };
    assert_eq!(update.id, 7);
    let given: Vec<(&str, &str)> = update
        .fields
        .iter()
        .map(|(field, value)| (field.name.as_str(), value.as_str()))
        .collect();
    assert_eq!(given, [("name", "Ada"), ("statusId", "12")]);
}

#[test]
fn a_rate_is_requests_a_second() {
    assert_eq!(parse_rate("200"), Ok(200));
    assert_eq!(parse_rate("200/s"), Ok(200));
    assert_eq!(parse_rate(" 5/s "), Ok(5));
    assert_eq!(
        parse_rate("0/s"),
        Err("a rate is at least 1 request a second".to_owned())
    );
    let refused = parse_rate("fast").unwrap_err();
    assert!(refused.contains("\"fast\" is not a rate"), "{refused}");
    assert!(parse_rate("200/m").is_err());
}

/// The default of `liner leads <subcommand> --<flag>`, as clap has it.
fn leads_default(subcommand: &str, flag: &str) -> String {
    let command = command();
    let arg = command
        .find_subcommand("leads")
        .and_then(|leads| leads.find_subcommand(subcommand))
        .and_then(|sub| sub.get_arguments().find(|arg| arg.get_long() == Some(flag)))
        .unwrap_or_else(|| panic!("no `liner leads {subcommand} --{flag}`"));
    arg.get_default_values()
        .iter()
        .map(|value| value.to_string_lossy().into_owned())
        .collect()
}

#[test]
fn the_readme_quotes_the_flags_defaults() {
    let readme = include_str!("../../README.md").replace('\n', " ");
    for phrase in [
        format!(
            "`--concurrency` (default {}, twice the library's default",
            leads_default("export", "concurrency")
        ),
        format!(
            "Creates run `--concurrency` (default {}) at a time",
            leads_default("import", "concurrency")
        ),
    ] {
        assert!(readme.contains(&phrase), "the README lacks {phrase:?}");
    }
    assert_eq!(
        leads_default("export", "concurrency"),
        (2 * liner::LeadQuery::DEFAULT_CONCURRENCY).to_string()
    );
}

#[test]
fn every_update_flag_is_described_by_the_spec() {
    // A property whose schema loses its description (a `$ref` to a
    // transparent newtype) would fall back to "The `x` field."; the spec
    // gives such properties a description of their own.
    let undescribed: Vec<String> = crate::schema_fields::fields_of::<liner::LeadPatch>()
        .into_iter()
        .filter(|field| field.description.is_none())
        .map(|field| field.name)
        .collect();
    assert!(undescribed.is_empty(), "no description: {undescribed:?}");
}
