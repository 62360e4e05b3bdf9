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
