{#- The informative line of a dbt message (not "Runtime Error in model x (path)"),
    as runner._first_line picks it. -#}
{%- macro first_line(text) -%}
    {%- set lines = [] -%}
    {%- for ln in ((text or '') | string).replace('\r', '').split('\n') if ln | trim -%}
        {%- do lines.append(ln | trim) -%}
    {%- endfor -%}
    {%- set useful = [] -%}
    {%- for ln in lines if not modules.re.match('^(Runtime|Compilation|Database) Error in \\w+ ', ln) -%}
        {%- do useful.append(ln) -%}
    {%- endfor -%}
    {{ return(((useful or lines or [''])[0])[:300]) }}
{%- endmacro -%}
