// Name and label rules, transcribed from k8s.io/apimachinery/pkg/util/validation (validation.go).
// Each check returns a problem string (worded like the API server's) or undefined when valid, so
// callers attach file/object/field themselves.

const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const dns1035Label = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const qualifiedNamePart = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const ianaSvcName = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const envVarName = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

export function checkDNS1123Label(v: string): string | undefined {
  if (v.length > 63) return `${quote(v)} must be no more than 63 characters`;
  if (!dns1123Label.test(v)) {
    return `${quote(v)} must be a DNS label: lower case alphanumeric characters or '-', starting and ending with an alphanumeric character`;
  }
  return undefined;
}

export function checkDNS1123Subdomain(v: string): string | undefined {
  if (v.length > 253) return `${quote(v)} must be no more than 253 characters`;
  if (!dns1123Subdomain.test(v)) {
    return `${quote(v)} must be a DNS subdomain: lower case alphanumeric characters, '-' or '.', starting and ending with an alphanumeric character`;
  }
  return undefined;
}

/** Service names are DNS-1035 labels (they become DNS names and env var prefixes), so no leading digit. */
export function checkDNS1035Label(v: string): string | undefined {
  if (v.length > 63) return `${quote(v)} must be no more than 63 characters`;
  if (!dns1035Label.test(v)) {
    return `${quote(v)} must be a DNS-1035 label: lower case alphanumeric characters or '-', starting with a letter and ending with an alphanumeric character`;
  }
  return undefined;
}

/** Label and annotation keys: `[prefix/]name`, prefix a DNS subdomain ≤253, name ≤63. */
export function checkQualifiedName(key: string): string | undefined {
  const parts = key.split('/');
  let name = key;
  if (parts.length === 2) {
    const [prefix] = parts;
    name = parts[1];
    if (prefix === '') return `${quote(key)}: prefix part must be non-empty`;
    const bad = checkDNS1123Subdomain(prefix);
    if (bad) return `${quote(key)}: prefix part ${bad}`;
  } else if (parts.length > 2) {
    return `${quote(key)} must be a qualified name: an optional DNS subdomain prefix and '/', then a name`;
  }
  if (name === '') return `${quote(key)}: name part must be non-empty`;
  if (name.length > 63) return `${quote(key)}: name part must be no more than 63 characters`;
  if (!qualifiedNamePart.test(name)) {
    return `${quote(key)}: name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`;
  }
  return undefined;
}

export function checkLabelValue(v: string): string | undefined {
  if (v.length > 63) return `${quote(v)} must be no more than 63 characters`;
  if (!labelValue.test(v)) {
    return `${quote(v)} must be empty or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`;
  }
  return undefined;
}

/** Port names (IANA_SVC_NAME, RFC 6335 §5.1): ≤15 chars, a-z0-9 and '-', at least one letter, no '--'. */
export function checkPortName(v: string): string | undefined {
  if (v.length > 15) return `${quote(v)} must be no more than 15 characters`;
  if (!ianaSvcName.test(v)) return `${quote(v)} must contain only lower case alphanumeric characters or '-', and start and end with an alphanumeric character`;
  if (v.includes('--')) return `${quote(v)} must not contain consecutive hyphens`;
  if (!/[a-z]/.test(v)) return `${quote(v)} must contain at least one letter`;
  return undefined;
}

export function checkEnvVarName(v: string): string | undefined {
  if (!envVarName.test(v)) return `${quote(v)} must consist of alphabetic characters, digits, '_', '-' or '.', and must not start with a digit`;
  return undefined;
}

function quote(v: string): string {
  return JSON.stringify(v);
}
