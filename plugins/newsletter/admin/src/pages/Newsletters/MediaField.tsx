import { useRef, useState } from 'react';
import { Box, Button, Flex, IconButton, Loader, Typography } from '@strapi/design-system';
import { Plus, Trash } from '@strapi/icons';
import { useT } from './labels';
import { MAX_IMAGES, type MediaView } from './types';

const TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif'];

/** The file's address in the admin (the upload plugin answers paths relative to the server). */
export function mediaUrl(url: string): string {
  if (/^https?:\/\//i.test(url)) return url;
  const backend = (window as unknown as { strapi?: { backendURL?: string } }).strapi?.backendURL ?? '';
  return `${backend}${url}`;
}

/**
 * The newsletter's images (≤ 10): thumbnails with remove, and an upload that checks type, count and size first
 * (the server checks them again by content and answers 413 / 415 / 422, shown here).
 */
export const MediaField = ({
  media,
  maxBytes,
  disabled,
  busy,
  error,
  onUpload,
  onRemove,
}: {
  media: MediaView[];
  maxBytes: number;
  disabled: boolean;
  busy: boolean;
  error: string | null;
  onUpload: (files: File[]) => void;
  onRemove: (fileId: number) => void;
}) => {
  const { t } = useT();
  const input = useRef<HTMLInputElement>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const pick = (list: FileList | null) => {
    const files = Array.from(list ?? []);
    if (files.length === 0) return;
    const wrongType = files.find((file) => !TYPES.includes(file.type));
    const tooBig = files.find((file) => file.size > maxBytes);
    if (media.length + files.length > MAX_IMAGES) {
      setProblem(t('media.tooMany', 'At most {max} images in a newsletter; {left} more can be added.', { max: MAX_IMAGES, left: MAX_IMAGES - media.length }));
    } else if (wrongType) {
      setProblem(t('media.type', '{file} is not a JPEG, PNG, WebP or GIF image.', { file: wrongType.name }));
    } else if (tooBig) {
      setProblem(t('media.size', '{file} is larger than {mb} MB.', { file: tooBig.name, mb: Math.round(maxBytes / 1024 / 1024) }));
    } else {
      setProblem(null);
      onUpload(files);
    }
  };

  return (
    <Flex direction="column" alignItems="stretch" gap={2}>
      <Flex gap={2} wrap="wrap" data-testid="newsletter-media">
        {media.map((item) => (
          <Box key={item.id} position="relative" hasRadius borderColor="neutral200" borderStyle="solid" borderWidth="1px" padding={1} data-testid="newsletter-media-item">
            <img src={mediaUrl(item.url)} alt={item.name} style={{ width: 120, height: 90, objectFit: 'cover', display: 'block', borderRadius: 4 }} />
            {!disabled && (
              <Box position="absolute" top={1} right={1}>
                <IconButton label={t('media.remove', 'Remove image')} size="S" variant="secondary" disabled={busy} onClick={() => onRemove(item.id)}>
                  <Trash />
                </IconButton>
              </Box>
            )}
          </Box>
        ))}
        {media.length === 0 && <Typography textColor="neutral600">{t('media.none', 'No images. One image goes as a photo with the text as its caption, 2–10 as an album.')}</Typography>}
      </Flex>
      {!disabled && (
        <Flex gap={2} alignItems="center">
          <input
            ref={input}
            type="file"
            multiple
            accept={TYPES.join(',')}
            style={{ display: 'none' }}
            data-testid="newsletter-media-input"
            onChange={(event) => {
              pick(event.target.files);
              event.target.value = '';
            }}
          />
          <Button variant="secondary" startIcon={<Plus />} disabled={busy || media.length >= MAX_IMAGES} onClick={() => input.current?.click()}>
            {t('media.add', 'Add images')}
          </Button>
          <Typography variant="pi" textColor="neutral600">
            {t('media.hint', '{count} of {max}; JPEG, PNG, WebP or GIF up to {mb} MB.', { count: media.length, max: MAX_IMAGES, mb: Math.round(maxBytes / 1024 / 1024) })}
          </Typography>
          {busy && <Loader small>{t('media.uploading', 'Uploading…')}</Loader>}
        </Flex>
      )}
      {(problem || error) && (
        <Typography textColor="danger600" data-testid="newsletter-media-error">
          {problem ?? error}
        </Typography>
      )}
    </Flex>
  );
};
