import { ApiError, apiBase, session } from './api.ts';

/**
 * Fetches a file from the admin API with the session token and hands it to the browser as a
 * download (an <a download> cannot send the token itself). Errors come back as JSON, like api().
 */
export async function download(path: string): Promise<string> {
  const token = session.get();
  const response = await fetch(`${apiBase}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  if (!response.ok) {
    const json = (await response.json().catch(() => ({}))) as { code?: string; message?: string };
    throw new ApiError(response.status, json.code ?? 'ERROR', json.message ?? response.statusText);
  }
  const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'export';
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return name;
}

/** A file chosen in the browser, as the core's batch source wants it: CSV as text, .xlsx as base64. */
export async function readListFile(file: File): Promise<{ csv: string } | { xlsxBase64: string }> {
  if (/\.xlsx$/i.test(file.name)) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000)
      binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return { xlsxBase64: btoa(binary) };
  }
  return { csv: await file.text() };
}
