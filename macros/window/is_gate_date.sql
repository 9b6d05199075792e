{#- Predicate: a DATE column is the date `props-contracts gate --date` asks about (the
    gate_date var), so a contract judges that date now, before its deadline: a gate
    says "not ready" for a night whose input is missing, never "not due". Without
    gate_date (every other command) the predicate is false: nothing is judged early. -#}
{%- macro is_gate_date(date_column) -%}
    {%- set gate_date = props_contracts.typed_var('gate_date') -%}
    {%- if gate_date -%}
        ({{ date_column }} = cast('{{ gate_date }}' as date))
    {%- else -%}
        (1 = 0)
    {%- endif -%}
{%- endmacro -%}
