{#- The rows of processor_settings(), every value checked against the type and range of
    the global var it overrides (var_spec) and every processor name against a class-name
    pattern, so nothing but checked numbers and names reaches SQL; a bad one is a
    compiler error naming the processor, the column and the value. none stays none (the
    global default). -#}
{%- macro processor_settings_rows() -%}
    {%- set settings = props_contracts.processor_settings() -%}
    {%- set spec = props_contracts.var_spec() -%}
    {%- set seen = [] -%}
    {%- set out = [] -%}
    {%- for row in settings['rows'] -%}
        {%- set name = row['processor_name'] -%}
        {%- if name is not string or not modules.re.fullmatch('[A-Za-z][A-Za-z0-9_]{0,127}', name) -%}
            {{ exceptions.raise_compiler_error('processor_settings: processor_name ' ~ name
                ~ ' is not a processor class name (a letter, then letters, digits or _)') }}
        {%- endif -%}
        {%- if name in seen -%}
            {{ exceptions.raise_compiler_error('processor_settings: processor ' ~ name ~ ' is listed twice') }}
        {%- endif -%}
        {%- do seen.append(name) -%}
        {%- set checked = {'processor_name': name} -%}
        {%- for column, default_var in settings['defaults'].items() -%}
            {%- set value = row.get(column) -%}
            {%- if value is none -%}
                {%- do checked.update({column: none}) -%}
            {%- else -%}
                {%- set strict = {} -%}
                {%- do strict.update(spec[default_var]) -%}
                {%- do strict.update({'nullable': false}) -%}
                {%- do checked.update({column: props_contracts.check_var(
                    'processor_settings ' ~ name ~ ' ' ~ column, value, strict)}) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- do out.append(checked) -%}
    {%- endfor -%}
    {{ return(out) }}
{%- endmacro -%}
