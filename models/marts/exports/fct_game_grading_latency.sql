{#- Per game due to be final: game end -> last prediction graded, and whether
    grading met the SLA (EXP-03; seed 001 P1-4). A game the schedule never marked
    final is due from its expected end (tip-off + game_final_margin_hours), so a
    night whose post-game scrape never ran is still judged. -#}
{{ props_contracts.game_grading_latency() }}
