// Component tests render with a fresh QueryClient each, so no test sees another's cache.
import { QueryClientProvider } from '@tanstack/react-query';
import { render, type RenderResult } from '@testing-library/react';
import type { ReactElement } from 'react';
import { createQueryClient } from '../query/client';

export function renderWithQuery(ui: ReactElement): RenderResult {
  const client = createQueryClient();
  return render(<QueryClientProvider client={client}>{ui}</QueryClientProvider>);
}
