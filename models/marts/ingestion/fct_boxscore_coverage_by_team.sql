{#- Per team, over the trailing ing05_window_days ending at as_of's date
    (macros/marts/boxscore_coverage_by_team.sql). -#}
{%- set window_days = props_contracts.typed_var('ing05_window_days') -%}

{{ props_contracts.boxscore_coverage_by_team(
    props_contracts.add_days(props_contracts.as_of_date(), -1 * window_days),
    props_contracts.as_of_date()) }}
