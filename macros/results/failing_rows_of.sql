{#- A failing or warning test's rows, read back by running its compiled query once
    more (its stored-failures table if it keeps one), grouped by the date each row is
    about and bounded as records.bound_rows bounds them: the first _rows_per_partition
    rows of each date, in the order of their JSON, each with its date's count.
    Returns [partition_date or none, partition_rows, row_json] per kept row. -#}
{%- macro failing_rows_of(node, relation) -%}
    {%- set spec = props_contracts.run_record_tables() -%}
    {%- set limit = spec['_failing_rows_read'] -%}
    {%- if relation -%}
        {%- set query = 'select * from ' ~ relation ~ ' limit ' ~ limit -%}
    {%- elif node.compiled_code and node.compiled_code | trim -%}
        {#- newlines around it: the compiled query may end in a -- comment -#}
        {%- set query = 'select * from (\n' ~ (node.compiled_code | trim).rstrip(';')
                        ~ '\n) as failing_rows limit ' ~ limit -%}
    {%- else -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set table = run_query(query) -%}
    {%- set date_column = [] -%}
    {%- for c in spec['_date_columns'] if c in table.column_names and not date_column -%}
        {%- do date_column.append(c) -%}
    {%- endfor -%}
    {%- set by_partition = {} -%}
    {%- for row in table.rows -%}
        {%- set obj = {} -%}
        {%- for c in table.column_names -%}
            {%- do obj.update({c: props_contracts.row_jsonable(row[c])}) -%}
        {%- endfor -%}
        {%- set day = row[date_column[0]] if date_column else none -%}
        {%- set partition = 'all' if day is none else (day | string)[:10] -%}
        {%- do by_partition.setdefault(partition, []).append(tojson(obj)) -%}
    {%- endfor -%}
    {%- set out = [] -%}
    {%- for partition in by_partition | sort -%}
        {%- set rows = by_partition[partition] | sort -%}
        {%- for row_json in rows[:spec['_rows_per_partition']] -%}
            {%- do out.append([none if partition == 'all' else partition, rows | length, row_json]) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(out) }}
{%- endmacro -%}
