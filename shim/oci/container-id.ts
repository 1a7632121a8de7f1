/** runc's container id rule (libcontainer: ^[\w+-\.]+$), minus "." and "..": one safe path component. */
export function validContainerId(id: string): boolean {
  return /^[A-Za-z0-9_+.-]+$/.test(id) && id !== '.' && id !== '..';
}
