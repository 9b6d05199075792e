{#- Every calendar date of the evaluation window, expectations_start_date() .. as_of_date(),
    as a query with one column calendar_date: the dates the declared expectations
    are judged on, from the clock, not from the rows audited (a day whose every row
    is missing still has its row). At most 10,000 days (full_history: the newest). -#}
{%- macro window_dates() -%}
    {%- set digits = 'select 0 as n union all select 1 union all select 2 union all select 3 union all select 4 union all select 5 union all select 6 union all select 7 union all select 8 union all select 9' -%}
    select calendar_date
    from (
        select {{ props_contracts.add_days(props_contracts.as_of_date(), '-1 * (d0.n + 10 * d1.n + 100 * d2.n + 1000 * d3.n)') }} as calendar_date
        from ({{ digits }}) as d0
        cross join ({{ digits }}) as d1
        cross join ({{ digits }}) as d2
        cross join ({{ digits }}) as d3
    ) as days
    where calendar_date >= {{ props_contracts.expectations_start_date() }}
{%- endmacro -%}
