{#- Target tables where a later file replaces an earlier file's rows for the same
    keys (a re-scrape of a night's box scores, a re-pull of lines): an earlier lock
    whose rows are gone was superseded, not lost, once a later complete lock of the
    same table and date has rows. Schedule snapshots are not here: each snapshot is
    its own observation, kept beside the others. -#}
{%- macro replaced_by_later_files() -%}
    {{ return(['nba_raw.bdl_player_boxscores', 'nba_raw.odds_api_player_props']) }}
{%- endmacro -%}
