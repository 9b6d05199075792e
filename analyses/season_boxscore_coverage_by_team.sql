{#- Which teams' box scores go missing? Per team since season_start_date: games due to
    be final (final, or game_final_margin_hours past tip-off, and not postponed), how
    many have the team's player box scores, the share, and the missing game ids: the
    same rule as fct_boxscore_coverage_by_team (ING-05), over the season instead of
    its trailing ing05_window_days. Reads the schedule and the box scores through
    their views: both are partitioned by game_date on BigQuery, and the season's
    dates bound the scan. -#}
{%- set season_start = "cast('" ~ props_contracts.typed_var('season_start_date') ~ "' as date)" -%}

{{ props_contracts.boxscore_coverage_by_team(props_contracts.add_days(season_start, -1), props_contracts.as_of_date()) }}
order by coverage, team_abbr
